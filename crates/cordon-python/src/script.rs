//! PEP 723 inline script metadata: the `# /// script` block of a Python file, as TOML text.

/// The TOML of the `# /// script` block, if there is one. Follows the PEP 723 reference
/// regex `(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$`: the block
/// runs to the *last* `# ///` line of the run of comment lines after the opening line.
/// Lines may end in `\r\n`.
pub fn metadata_block(text: &str) -> Result<Option<String>, String> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut found: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let Some(kind) = lines[i].strip_prefix("# /// ") else {
            i += 1;
            continue;
        };
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            i += 1;
            continue;
        }
        let mut close = None;
        let mut j = i + 1;
        while j < lines.len() && (lines[j] == "#" || lines[j].starts_with("# ")) {
            if lines[j] == "# ///" {
                close = Some(j);
            }
            j += 1;
        }
        match close {
            Some(c) => {
                if kind == "script" {
                    if let Some((first, _)) = found {
                        return Err(format!(
                            "the script has two `# /// script` blocks (lines {} and {}); uv reads only one",
                            first,
                            i + 1
                        ));
                    }
                    found = Some((i + 1, c));
                }
                i = c + 1;
            }
            None if kind == "script" => {
                return Err(format!(
                    "the `# /// script` block opened on line {} has no closing `# ///` line",
                    i + 1
                ));
            }
            None => i += 1,
        }
    }
    Ok(found.map(|(open_line, close)| {
        let mut toml = String::new();
        for line in &lines[open_line..close] {
            let content = line.strip_prefix("# ").unwrap_or(&line[1..]);
            toml.push_str(content);
            toml.push('\n');
        }
        toml
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_block_and_refuses_two_or_an_open_one() {
        let text = "#!/usr/bin/env python\n# /// script\n# dependencies = [\n#   \"rich\",\n# ]\n# ///\nprint(1)\n";
        assert_eq!(
            metadata_block(text).unwrap().unwrap(),
            "dependencies = [\n  \"rich\",\n]\n"
        );
        assert_eq!(metadata_block("print(1)\n").unwrap(), None);
        let two = format!("{text}{text}");
        assert!(metadata_block(&two).unwrap_err().contains("two"));
        assert!(
            metadata_block("# /// script\n# x = 1\n")
                .unwrap_err()
                .contains("no closing")
        );
        // Another block type is not the script's.
        assert_eq!(
            metadata_block("# /// pyproject\n# x = 1\n# ///\n").unwrap(),
            None
        );
    }
}
