//! `completions/` must equal what the binary generates, so the checked-in scripts never drift
//! from the CLI. Set WXLOGIN_UPDATE_COMPLETIONS=1 to rewrite them after a CLI change.

// A test helper that cannot go on may panic: that is the failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, wx};

#[test]
fn checked_in_completions_match_the_binary() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/completions");
    let update = std::env::var_os("WXLOGIN_UPDATE_COMPLETIONS").is_some();
    for (shell, file) in [
        ("bash", "wxlogin.bash"),
        ("zsh", "wxlogin.zsh"),
        ("fish", "wxlogin.fish"),
        ("powershell", "wxlogin.ps1"),
        ("elvish", "wxlogin.elv"),
    ] {
        let r = run(wx().args(["completions", shell]));
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("wxlogin"));
        let path = format!("{dir}/{file}");
        if update {
            std::fs::write(&path, &r.stdout).expect("write completions");
            continue;
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == r.stdout,
            "{path} is stale: run `WXLOGIN_UPDATE_COMPLETIONS=1 cargo test --test completions`"
        );
    }
}
