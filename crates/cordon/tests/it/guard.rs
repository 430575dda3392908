//! The agent guard in a project, end to end: a project locked by the real uv against the test
//! index, a package a person approved with `cordon approve`, a locked package and an unknown
//! one; shell installs, file writes and edits (Claude Code, Codex `apply_patch`, Gemini CLI,
//! Copilot, Cursor), PEP 723 headers, the approvals themselves, and `agent-decision = "ask"`.

use std::path::Path;

use serde_json::{Value, json};

use crate::harness::{IndexServer, PackageSpec, VersionSpec, lock};

const PYPROJECT: &str = r#"[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = [
    "alpha==1.0",
    "beta==2.0",
]
"#;

/// A project depending on alpha and beta (beta brings gamma), locked by uv, with `rich`
/// approved by a person through `cordon approve`.
fn project() -> (IndexServer, tempfile::TempDir) {
    let index = IndexServer::start(vec![
        PackageSpec::new("alpha", vec![VersionSpec::new("1.0")]),
        PackageSpec::new(
            "beta",
            vec![VersionSpec::new("2.0").requires(&["gamma>=1"])],
        ),
        PackageSpec::new("gamma", vec![VersionSpec::new("1.5")]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), PYPROJECT).unwrap();
    lock(dir.path(), &index);
    let out = cordon(dir.path())
        .args([
            "approve",
            "rich",
            "--reason",
            "terminal tables for the CLI",
            "--no-vet",
            "--yes",
        ])
        .env("CORDON_APPROVER", "Alice Example")
        .env("CORDON_NOW", "2026-11-27T15:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "approved rich for AI coding agents, by Alice Example; recorded in .cordon/approvals.toml\n"
    );
    (index, dir)
}

fn cordon(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("cordon").unwrap();
    c.current_dir(dir).env_clear().env("HOME", dir);
    c
}

/// `cordon hook AGENT` with `payload` on stdin, run in `dir`; the answer (empty: allowed
/// silently) and stderr.
fn hook(dir: &Path, agent: &str, payload: &Value) -> (String, String) {
    let out = cordon(dir)
        .args(["hook", agent])
        .write_stdin(payload.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn claude(dir: &Path, tool: &str, input: &Value) -> String {
    let payload = json!({"session_id": "s", "cwd": dir, "hook_event_name": "PreToolUse",
        "permission_mode": "default", "tool_name": tool, "tool_input": input, "tool_use_id": "t"});
    let (out, err) = hook(dir, "claude", &payload);
    assert_eq!(err, "");
    out
}

fn bash(dir: &Path, command: &str) -> String {
    claude(dir, "Bash", &json!({"command": command}))
}

/// The reason of a Claude Code deny, byte for byte checked against the protocol's shape.
fn denied(out: &str) -> String {
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let reason = v["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();
    assert_eq!(
        out,
        format!(
            "{{\"hookSpecificOutput\":{{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"deny\",\"permissionDecisionReason\":{}}}}}\n",
            Value::String(reason.clone())
        )
    );
    reason
}

#[test]
fn installs_of_locked_and_approved_packages_pass_and_others_are_denied() {
    let (_index, dir) = project();
    let d = dir.path();
    for ok in [
        "pip install alpha==1.0",
        "uv pip install alpha beta",
        "pip install 'gamma>=1'",
        "uv add rich",
        "pip install rich==13.7.1",
        "uvx rich",
        "uv sync --locked",
    ] {
        assert_eq!(bash(d, ok), "", "`{ok}` should be allowed");
    }
    let r = denied(&bash(d, "pip install flask"));
    assert!(
        r.starts_with("`pip install flask` would install flask, which no one approved for this project and uv.lock does not name."),
        "{r}"
    );
    assert!(
        r.contains("approve it with `cordon approve flask --reason TEXT`"),
        "{r}"
    );
    let r = denied(&bash(d, "pip install alpha==0.9"));
    assert!(r.contains("alpha==0.9 (the lock has 1.0)"), "{r}");
    // A look-alike of a locked name is named as such.
    let r = denied(&bash(d, "uv add alpah"));
    assert!(
        r.contains("would install alpah (did you mean `alpha`, which the project already has?),"),
        "{r}"
    );
    // Conda channels are another source: the lock does not speak for them.
    let r = denied(&bash(d, "conda install alpha"));
    assert!(r.contains("would install alpha."), "{r}");
    // Another index is never trusted, even for a locked name.
    let r = denied(&bash(
        d,
        "pip install --index-url https://example.com/simple alpha",
    ));
    assert!(r.contains("an index the project does not use"), "{r}");

    // Requirement files named on the command line are read.
    std::fs::write(d.join("ok.txt"), "alpha==1.0\nrich\n").unwrap();
    std::fs::write(d.join("bad.txt"), "alpha==1.0\nflask\n").unwrap();
    assert_eq!(bash(d, "pip install -r ok.txt"), "");
    let r = denied(&bash(d, "pip install -r bad.txt"));
    assert!(r.contains("flask"), "{r}");
    let r = denied(&bash(d, "pip install -r missing.txt"));
    assert!(r.contains("could not be read"), "{r}");
}

#[test]
fn agents_may_not_approve() {
    let (_index, dir) = project();
    let d = dir.path();
    let r = denied(&bash(d, "cordon approve flask --reason 'I need it' --yes"));
    assert!(r.contains("an agent may not run it"), "{r}");
    let r = denied(&bash(d, "echo '[[approval]]' >> .cordon/approvals.toml"));
    assert!(r.contains("approvals file"), "{r}");
    let r = denied(&claude(
        d,
        "Write",
        &json!({"file_path": d.join(".cordon/approvals.toml"), "content": "[[approval]]\nname = \"flask\"\n"}),
    ));
    assert!(r.contains("an agent may not change it"), "{r}");
    // `[tool.cordon] allow` is an approval too.
    let grown = format!("{PYPROJECT}\n[tool.cordon]\nallow = [\"flask\"]\n");
    let r = denied(&claude(
        d,
        "Write",
        &json!({"file_path": d.join("pyproject.toml"), "content": grown}),
    ));
    assert!(r.contains("`[tool.cordon] allow`"), "{r}");
    // Without a terminal and without --yes, `cordon approve` itself refuses.
    let out = cordon(d)
        .args(["approve", "flask", "--reason", "x", "--no-vet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a person"));
}

#[test]
fn pyproject_edits_are_judged_on_the_dependency_diff() {
    let (_index, dir) = project();
    let d = dir.path();
    let path = d.join("pyproject.toml");
    let edit = |old: &str, new: &str| {
        claude(
            d,
            "Edit",
            &json!({"file_path": path, "old_string": old, "new_string": new, "replace_all": false}),
        )
    };
    // Reordering, reformatting and removing: allowed.
    assert_eq!(
        edit(
            "    \"alpha==1.0\",\n    \"beta==2.0\",",
            "    \"beta==2.0\",\n    \"alpha==1.0\","
        ),
        ""
    );
    assert_eq!(edit("    \"beta==2.0\",\n", ""), "");
    assert_eq!(edit("version = \"0.1.0\"", "version = \"0.2.0\""), "");
    // Adding an approved or locked package: allowed.
    assert_eq!(
        edit(
            "    \"beta==2.0\",",
            "    \"beta==2.0\",\n    \"rich>=13\","
        ),
        ""
    );
    assert_eq!(
        edit(
            "    \"beta==2.0\",",
            "    \"beta==2.0\",\n    \"gamma==1.5\","
        ),
        ""
    );
    // Adding an unknown package, or moving a locked one to another version: denied.
    let r = denied(&edit(
        "    \"beta==2.0\",",
        "    \"beta==2.0\",\n    \"flask>=3\",",
    ));
    assert!(
        r.starts_with("This edit to pyproject.toml would add flask>=3, which no one approved"),
        "{r}"
    );
    let r = denied(&edit("\"alpha==1.0\"", "\"alpha==2.0\""));
    assert!(r.contains("alpha==2.0 (the lock has 1.0)"), "{r}");
    // A new package source.
    let r = denied(&claude(
        d,
        "Write",
        &json!({"file_path": path, "content": format!("{PYPROJECT}\n[tool.uv.sources]\nalpha = {{ git = \"https://example.com/alpha.git\" }}\n")}),
    ));
    assert!(r.contains("adds a package source"), "{r}");
    // New content that is not valid TOML: blocked (fail closed).
    let r = denied(&edit("dependencies = [", "dependencies = [[["));
    assert!(r.contains("cannot read the new pyproject.toml"), "{r}");
    // A lockfile is never edited by hand.
    let r = denied(&claude(
        d,
        "Write",
        &json!({"file_path": d.join("uv.lock"), "content": "version = 1\n"}),
    ));
    assert!(r.contains("uv writes it"), "{r}");
    // Files that declare no dependencies are not read.
    assert_eq!(
        claude(
            d,
            "Write",
            &json!({"file_path": d.join("README.md"), "content": "pip install flask"})
        ),
        ""
    );
}

#[test]
fn requirements_files_and_script_headers() {
    let (_index, dir) = project();
    let d = dir.path();
    std::fs::write(d.join("requirements.txt"), "alpha==1.0\n").unwrap();
    let r = denied(&claude(
        d,
        "Write",
        &json!({"file_path": d.join("requirements.txt"), "content": "alpha==1.0\nflask==3.0\n"}),
    ));
    assert!(r.contains("would add flask==3.0"), "{r}");
    assert_eq!(
        claude(
            d,
            "Write",
            &json!({"file_path": d.join("requirements.txt"), "content": "# pinned\nalpha==1.0\nrich\n"})
        ),
        ""
    );

    let script = |deps: &str| {
        format!(
            "# /// script\n# requires-python = \">=3.11\"\n# dependencies = [{deps}]\n# ///\nprint('hi')\n"
        )
    };
    let r = denied(&claude(
        d,
        "Write",
        &json!({"file_path": d.join("tool.py"), "content": script("\"requests<3\"")}),
    ));
    assert!(
        r.contains("This edit to tool.py would add requests<3"),
        "{r}"
    );
    assert_eq!(
        claude(
            d,
            "Write",
            &json!({"file_path": d.join("tool.py"), "content": script("\"rich\"")})
        ),
        ""
    );
    assert_eq!(
        claude(
            d,
            "Write",
            &json!({"file_path": d.join("plain.py"), "content": "import requests\n"})
        ),
        ""
    );
}

#[test]
fn every_agent_reports_edits_in_its_own_protocol() {
    let (_index, dir) = project();
    let d = dir.path();
    std::fs::write(d.join("requirements.txt"), "alpha==1.0\n").unwrap();

    // Codex: apply_patch.
    let patch = "*** Begin Patch\n*** Update File: requirements.txt\n@@\n alpha==1.0\n+flask==3.0\n*** End Patch\n";
    let payload = json!({"session_id": "s", "turn_id": "t", "cwd": d, "hook_event_name": "PreToolUse",
        "model": "m", "permission_mode": "default", "tool_name": "apply_patch",
        "tool_input": {"command": patch}, "tool_use_id": "c"});
    let (out, _) = hook(d, "codex", &payload);
    assert!(denied(&out).contains("flask==3.0"), "{out}");
    let reorder = "*** Begin Patch\n*** Add File: notes.md\n+hello\n*** End Patch\n";
    let payload = json!({"cwd": d, "hook_event_name": "PreToolUse", "tool_name": "apply_patch",
        "tool_input": {"command": reorder}});
    assert_eq!(hook(d, "codex", &payload).0, "");

    // Gemini CLI: write_file and replace.
    let payload = json!({"session_id": "s", "cwd": d, "hook_event_name": "BeforeTool",
        "timestamp": "2026-01-15T10:30:00Z", "tool_name": "replace",
        "tool_input": {"file_path": d.join("requirements.txt"), "old_string": "alpha==1.0", "new_string": "alpha==1.0\nflask"}});
    let (out, _) = hook(d, "gemini", &payload);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "deny");
    assert!(v["reason"].as_str().unwrap().contains("flask"));

    // Copilot: edit, with its arguments as a JSON string.
    let args = json!({"path": d.join("requirements.txt"), "old_str": "alpha==1.0", "new_str": "alpha==1.0\nflask"});
    let payload = json!({"timestamp": 1_704_614_600_000_u64, "cwd": d, "toolName": "edit",
        "toolArgs": args.to_string()});
    let (out, _) = hook(d, "copilot", &payload);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["permissionDecision"], "deny");

    // Cursor: a shell command in the project.
    let payload = json!({"conversation_id": "c", "generation_id": "g", "hook_event_name": "beforeShellExecution",
        "workspace_roots": [d], "command": "pip install rich", "cwd": d});
    assert_eq!(
        hook(d, "cursor", &payload).0,
        "{\"permission\":\"allow\"}\n"
    );
}

#[test]
fn the_policy_can_ask_instead_of_deny() {
    let (_index, dir) = project();
    let d = dir.path();
    std::fs::write(
        d.join("pyproject.toml"),
        format!("{PYPROJECT}\n[tool.cordon]\nagent-decision = \"ask\"\n"),
    )
    .unwrap();
    let out = bash(d, "pip install flask");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["hookSpecificOutput"]["permissionDecision"], "ask",
        "{out}"
    );
    // Cursor asks too; Codex cannot ask, so it denies.
    let payload = json!({"hook_event_name": "beforeShellExecution", "command": "pip install flask", "cwd": d});
    let v: Value = serde_json::from_str(&hook(d, "cursor", &payload).0).unwrap();
    assert_eq!(v["permission"], "ask");
    let payload = json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "pip install flask"}, "cwd": d});
    let v: Value = serde_json::from_str(&hook(d, "codex", &payload).0).unwrap();
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
    // What is not a missing approval is still denied.
    let v: Value = serde_json::from_str(&bash(d, "uv sync")).unwrap();
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
}

#[test]
fn approve_records_vet_verdicts_and_refuses_a_block() {
    let index = IndexServer::start(vec![
        PackageSpec::new("alpha", vec![VersionSpec::new("1.0")]),
        PackageSpec::new("held", vec![VersionSpec::new("1.0")]).status("quarantined", None),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("pyproject.toml"),
        "[project]\nname = \"app\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        cordon(d)
            .envs(crate::harness::uv_env(&index))
            .env("CORDON_UV", crate::harness::uv_path())
            .env("CORDON_CACHE_DIR", d.join("cache"))
            .env("CORDON_APPROVER", "Bob")
            .env("CORDON_NOW", "2026-11-27T15:00:00Z")
            .args(["approve", "--yes", "--no-progress"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["alpha==1.0", "--reason", "parsing"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("allow   alpha 1.0\n"), "{text}");
    let saved = std::fs::read_to_string(d.join(".cordon/approvals.toml")).unwrap();
    assert!(
        saved.ends_with(
            "[[approval]]\nname = \"alpha\"\nversion = \"1.0\"\nreason = \"parsing\"\nby = \"Bob\"\nat = \"2026-11-27T15:00:00Z\"\nvet = \"allow\"\n"
        ),
        "{saved}"
    );

    let out = run(&["held", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not approved"));
    assert!(
        !std::fs::read_to_string(d.join(".cordon/approvals.toml"))
            .unwrap()
            .contains("held")
    );
    let out = run(&["held", "--reason", "we vendor a fixed copy", "--force"]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(d.join(".cordon/approvals.toml"))
            .unwrap()
            .contains("vet = \"block\"")
    );
}

#[test]
fn hook_vet_adds_the_verdict_to_the_reason() {
    let index = IndexServer::start(vec![
        PackageSpec::new("alpha", vec![VersionSpec::new("1.0")]),
        PackageSpec::new("held", vec![VersionSpec::new("1.0")])
            .status("quarantined", Some("malware")),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("pyproject.toml"),
        "[project]\nname = \"app\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let payload = json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": d,
        "tool_input": {"command": "pip install held nothere"}});
    let out = cordon(d)
        .envs(crate::harness::uv_env(&index))
        .env("CORDON_UV", crate::harness::uv_path())
        .env("CORDON_CACHE_DIR", d.join("cache"))
        .args(["hook", "claude", "--vet"])
        .write_stdin(payload.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let r = denied(&String::from_utf8(out.stdout).unwrap());
    assert!(
        r.ends_with(
            "cordon vet says: held: block (the index marks `held` as quarantined: malware); nothere: block (`nothere` does not exist on http://example.com/simple: likely a hallucinated or mistyped name)."
        ),
        "{r}"
    );
}

#[test]
fn requirement_files_are_followed_through_includes() {
    let (_index, dir) = project();
    let d = dir.path();
    std::fs::create_dir(d.join("requirements")).unwrap();
    std::fs::write(d.join("requirements/base.txt"), "alpha==1.0\n").unwrap();
    std::fs::write(d.join("requirements/dev.txt"), "-r base.txt\n--pre\nrich\n").unwrap();
    assert_eq!(bash(d, "pip install -r requirements/dev.txt"), "");
    std::fs::write(d.join("requirements/base.txt"), "alpha==1.0\nflask\n").unwrap();
    let r = denied(&bash(d, "pip install -r requirements/dev.txt"));
    assert!(r.contains("flask"), "{r}");
    std::fs::write(
        d.join("requirements/base.txt"),
        "--extra-index-url https://example.com/simple\nalpha==1.0\n",
    )
    .unwrap();
    let r = denied(&bash(d, "pip install -r requirements/dev.txt"));
    assert!(r.contains("names a package source"), "{r}");
    // Editing the policy is a person's job too.
    let r = denied(&claude(
        d,
        "Write",
        &json!({"file_path": d.join("pyproject.toml"), "content": format!("{PYPROJECT}\n[tool.cordon]\nmin-cooldown = \"1 day\"\n")}),
    ));
    assert!(r.contains("changes the cordon policy"), "{r}");
}

#[test]
fn the_policy_file_is_a_persons_too() {
    let (_index, dir) = project();
    let d = dir.path();
    std::fs::write(d.join("cordon.toml"), "min-cooldown = \"7 days\"\n").unwrap();
    let write = |content: &str| {
        claude(
            d,
            "Write",
            &json!({"file_path": d.join("cordon.toml"), "content": content}),
        )
    };
    let r = denied(&write("min-cooldown = \"1 day\"\n"));
    assert!(r.contains("changes the cordon policy"), "{r}");
    let r = denied(&write("min-cooldown = \"7 days\"\nallow = [\"flask\"]\n"));
    assert!(r.contains("`[tool.cordon] allow`"), "{r}");
    // A comment changes nothing.
    assert_eq!(
        write("# the team's policy\nmin-cooldown = \"7 days\"\n"),
        ""
    );
}
