//! A sequence diagram one line at a time: three lanes (client, server, WeChat) and an arrow
//! between two of them, followed by what the message carried and how it ended.

use colored::Colorize;

use crate::output::paint;

/// The three parties of the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Client,
    Server,
    WeChat,
}

const GAP: usize = 13;
const WIDTH: usize = 2 * GAP + 1;

impl Lane {
    fn column(self) -> usize {
        match self {
            Lane::Client => 0,
            Lane::Server => GAP,
            Lane::WeChat => 2 * GAP,
        }
    }
}

/// How a line ended, for its mark and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    Fail,
    /// Expected to fail (the demo's classic failure).
    Expected,
    Info,
}

/// Renders lines for one output stream.
#[derive(Debug, Clone)]
pub struct Diagram {
    pub color: bool,
    pub names: [&'static str; 3],
}

impl Diagram {
    pub fn new(color: bool, names: [&'static str; 3]) -> Diagram {
        Diagram { color, names }
    }

    /// The lane names over their columns.
    pub fn header(&self) -> String {
        let mut line = String::new();
        for (i, name) in self.names.iter().enumerate() {
            let col = 4 + i * GAP;
            while line.chars().count() < col {
                line.push(' ');
            }
            line.push_str(name);
            line.push(' ');
        }
        paint(self.color, line.trim_end(), |s| s.bold())
    }

    /// `n  ├───────────▶┤            │  label  detail`; `n` is blank on sub-lines.
    pub fn line(
        &self,
        number: Option<usize>,
        from: Lane,
        to: Lane,
        label: &str,
        detail: &str,
        mark: Mark,
    ) -> String {
        let num = number.map_or_else(|| "  ".to_string(), |n| format!("{n:>2}"));
        let arrow = arrow(from, to);
        let sign = match mark {
            Mark::Ok => paint(self.color, "✓", |s| s.green().bold()),
            Mark::Fail => paint(self.color, "✗", |s| s.red().bold()),
            Mark::Expected => paint(self.color, "✗", |s| s.yellow().bold()),
            Mark::Info => " ".to_string(),
        };
        let arrow = paint(self.color, &arrow, |s| s.cyan());
        let label = paint(self.color, label, |s| s.bold());
        let mut out = format!("{num}  {arrow}  {sign} {label}");
        if !detail.is_empty() {
            out.push_str("  ");
            out.push_str(detail);
        }
        out
    }

    /// A line under the lanes, for a finding that belongs to no message.
    pub fn note(&self, text: &str, mark: Mark) -> String {
        let mut lanes: Vec<char> = vec![' '; WIDTH];
        for lane in [Lane::Client, Lane::Server, Lane::WeChat] {
            lanes[lane.column()] = '│';
        }
        let lanes: String = lanes.into_iter().collect();
        let lanes = paint(self.color, &lanes, |s| s.cyan());
        let text = match mark {
            Mark::Fail => paint(self.color, text, |s| s.red()),
            Mark::Expected => paint(self.color, text, |s| s.yellow()),
            Mark::Ok => paint(self.color, text, |s| s.green()),
            Mark::Info => paint(self.color, text, |s| s.dimmed()),
        };
        format!("    {lanes}    {text}")
    }
}

/// The lanes with an arrow from one to another; a lane to itself is a local action (`●`).
pub fn arrow(from: Lane, to: Lane) -> String {
    let mut chars: Vec<char> = vec![' '; WIDTH];
    for lane in [Lane::Client, Lane::Server, Lane::WeChat] {
        chars[lane.column()] = '│';
    }
    let (a, b) = (from.column(), to.column());
    if a == b {
        chars[a] = '●';
    } else {
        let (lo, hi) = (a.min(b), a.max(b));
        for c in chars.iter_mut().take(hi).skip(lo + 1) {
            *c = if *c == '│' { '┼' } else { '─' };
        }
        if a < b {
            chars[a] = '├';
            chars[b - 1] = '▶';
            chars[b] = '┤';
        } else {
            chars[a] = '┤';
            chars[b + 1] = '◀';
            chars[b] = '├';
        }
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_span_the_right_lanes() {
        assert_eq!(
            arrow(Lane::Client, Lane::Server),
            "├───────────▶┤            │"
        );
        assert_eq!(
            arrow(Lane::Server, Lane::WeChat),
            "│            ├───────────▶┤"
        );
        assert_eq!(
            arrow(Lane::Client, Lane::WeChat),
            "├────────────┼───────────▶┤"
        );
        assert_eq!(
            arrow(Lane::WeChat, Lane::Client),
            "├◀───────────┼────────────┤"
        );
        assert_eq!(
            arrow(Lane::Server, Lane::Server),
            "│            ●            │"
        );
        let d = Diagram::new(false, ["client", "server", "WeChat"]);
        assert_eq!(d.header(), "    client       server       WeChat");
    }
}
