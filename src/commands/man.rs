//! `wxlogin man [SUBCOMMAND]`: the roff man page, generated from the one CLI definition by
//! clap_mangen; `man/` holds every page, kept equal to this output by a test.

use clap::{Args, CommandFactory};

use super::Outcome;
use crate::cli::Cli;
use crate::core::{Error, exit};
use crate::output::{Ctx, print_safe};

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (e.g. decrypt for wxlogin-decrypt.1) [default: wxlogin.1]
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

/// Every page as (file name, roff text): `wxlogin.1`, whose SUBCOMMANDS section refers to the
/// others, then `wxlogin-SUBCOMMAND.1` for each subcommand, in definition order.
pub fn pages() -> Vec<(String, String)> {
    // Built as clap_mangen::generate_to does, so subcommand pages are titled wxlogin-NAME.
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = vec![render(&root)];
    for sub in root.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push(render(sub));
    }
    pages
}

fn render(cmd: &clap::Command) -> (String, String) {
    let man = clap_mangen::Man::new(cmd.clone())
        .source(format!("wxlogin {}", env!("CARGO_PKG_VERSION")))
        .manual("wxlogin manual");
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail. Man::render is not used because its EXTRA section lets
    // roff refill the exit-code table into one paragraph; that text goes in verbatim instead.
    let _ = man.render_title(&mut buf);
    let _ = man.render_name_section(&mut buf);
    let _ = man.render_synopsis_section(&mut buf);
    let _ = man.render_description_section(&mut buf);
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut buf);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        let _ = man.render_subcommands_section(&mut buf);
    }
    if let Some(after) = cmd.get_after_help() {
        buf.extend_from_slice(b".SH \"EXIT STATUS AND ENVIRONMENT\"\n.nf\n");
        buf.extend_from_slice(verbatim(&after.to_string()).as_bytes());
        buf.extend_from_slice(b".fi\n");
    }
    if cmd.get_version().is_some() {
        let _ = man.render_version_section(&mut buf);
    }
    // Each section comes with roff's apostrophe preamble; one at the top is enough.
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8_lossy(&buf).replace(PREAMBLE, "");
    (man.get_filename(), format!("{PREAMBLE}{text}"))
}

/// Plain text as roff lines kept as written (inside .nf): backslashes, hyphens and lines that
/// would read as requests are escaped.
fn verbatim(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let escaped = line.replace('\\', "\\e").replace('-', "\\-");
        if escaped.starts_with('.') || escaped.starts_with('\'') {
            out.push_str("\\&");
        }
        out.push_str(&escaped);
        out.push('\n');
    }
    out
}

pub fn run(_ctx: &Ctx, args: ManArgs) -> Outcome {
    let wanted = match &args.subcommand {
        None => "wxlogin.1".to_string(),
        Some(sub) => format!("wxlogin-{sub}.1"),
    };
    let pages = pages();
    match pages.iter().find(|(name, _)| *name == wanted) {
        Some((_, text)) => {
            print_safe(text);
            Ok(exit::OK)
        }
        None => {
            let names: Vec<&str> = pages[1..]
                .iter()
                .filter_map(|(n, _)| n.strip_prefix("wxlogin-")?.strip_suffix(".1"))
                .collect();
            Err(Error::usage(
                format!(
                    "no man page for subcommand '{}'",
                    args.subcommand.unwrap_or_default()
                ),
                format!("one of: {}", names.join(", ")),
            ))
        }
    }
}
