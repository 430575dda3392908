//! The check catalogue: every id `cordon check` can report is listed (a snapshot, so a rename
//! shows up in review) and documented in `docs/checks.md`.

#[test]
fn check_ids_are_listed_and_documented() {
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .args(["check", "--list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing = String::from_utf8(out.stdout).unwrap();
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/checks.md"))
            .unwrap();
    let ids: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 30, "{listing}");
    for id in &ids {
        assert!(
            docs.contains(&format!("\n### {id}\n")),
            "`{id}` has no section in docs/checks.md"
        );
    }
    insta::assert_snapshot!("check_list", listing);
}
