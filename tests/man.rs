//! `man/` must equal what `wxlogin man` prints, so the checked-in pages never drift from the
//! CLI. Set WXLOGIN_UPDATE_MAN=1 to rewrite them after a CLI change.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, wx};

#[test]
fn checked_in_man_pages_match_the_binary() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/man");
    let update = std::env::var_os("WXLOGIN_UPDATE_MAN").is_some();
    let pages = page_names();
    assert!(pages.len() > 10, "one page per subcommand plus wxlogin.1");
    for file in &pages {
        let sub = file
            .strip_prefix("wxlogin-")
            .and_then(|f| f.strip_suffix(".1"));
        let mut cmd = wx();
        cmd.arg("man");
        if let Some(sub) = sub {
            cmd.arg(sub);
        }
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "wxlogin man {sub:?}: {}", r.stderr);
        assert!(r.stdout.contains(".TH "), "{file} is not roff");
        let path = format!("{dir}/{file}");
        if update {
            std::fs::create_dir_all(dir).expect("create man/");
            std::fs::write(&path, &r.stdout).expect("write man page");
            continue;
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == r.stdout,
            "{path} is stale: run `WXLOGIN_UPDATE_MAN=1 cargo test --test man`"
        );
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("man/ exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected = pages;
    expected.sort();
    assert_eq!(on_disk, expected, "man/ holds a page of no subcommand");
}

/// `wxlogin.1` and every page the root page refers to (`wxlogin\-NAME(1)`), as files.
fn page_names() -> Vec<String> {
    let root = run(wx().arg("man")).stdout;
    let mut names = vec!["wxlogin.1".to_string()];
    for part in root.split("wxlogin\\-").skip(1) {
        if let Some(name) = part.split_once("(1)").map(|(n, _)| n.replace("\\-", "-")) {
            let file = format!("wxlogin-{name}.1");
            if !name.contains(char::is_whitespace) && !names.contains(&file) {
                names.push(file);
            }
        }
    }
    names
}

#[test]
fn root_page_refers_to_every_subcommand_page() {
    let r = run(wx().arg("man"));
    for sub in ["decrypt", "mock\\-server", "verify\\-signature", "man"] {
        assert!(r.stdout.contains(&format!("wxlogin\\-{sub}(1)")), "{sub}");
    }
    assert!(
        r.stdout
            .contains(".SH \"EXIT STATUS AND ENVIRONMENT\"\n.nf\n")
    );
}

#[test]
fn unknown_subcommand_is_a_usage_error_naming_the_pages() {
    let r = run(wx().args(["man", "nope"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("decrypt"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn help_mentions_the_man_page() {
    let r = run(wx().arg("--help"));
    assert!(r.stdout.contains("man wxlogin"));
}
