//! The cascade as a Mermaid flowchart: each document a box, an arrow from a document to each one
//! that carries it out, and each box coloured by the share of its tasks finished on the day, from
//! red (none) through amber to green (all); grey where nothing can be finished (no task, or only
//! regular ones).

use std::fmt::Write as _;

use super::cascade::Cascade;
use super::export::completion;
use crate::domain::dates::format_day;
use crate::domain::i18n::Translations;
use crate::domain::status::TaskStatus;

/// The words of the boxes in one language.
struct Words {
    done: &'static str,
    overdue: &'static str,
    nothing: &'static str,
}

const VIETNAMESE: Words =
    Words { done: "hoàn thành", overdue: "quá hạn", nothing: "không có nhiệm vụ có thời hạn" };
const ENGLISH: Words = Words { done: "done", overdue: "overdue", nothing: "no task with a deadline" };

/// The fill of a box finished to `share` (0 to 1): red, amber, green, mixed in between.
pub fn fill(share: Option<f64>) -> String {
    const RED: (f64, f64, f64) = (0xef as f64, 0x9a as f64, 0x9a as f64);
    const AMBER: (f64, f64, f64) = (0xff as f64, 0xe0 as f64, 0x82 as f64);
    const GREEN: (f64, f64, f64) = (0xa5 as f64, 0xd6 as f64, 0xa7 as f64);
    let Some(share) = share else { return "#e0e0e0".to_owned() };
    let share = share.clamp(0.0, 1.0);
    let (from, to, t) = if share < 0.5 { (RED, AMBER, share * 2.0) } else { (AMBER, GREEN, share * 2.0 - 1.0) };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
}

/// Text made safe for a quoted Mermaid label.
fn label_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl Cascade {
    /// The Mermaid source; `lang` `en` gives English names and words where they exist.
    pub fn mermaid(&self, lang: Option<&str>) -> String {
        let english = lang.is_some_and(|l| l.eq_ignore_ascii_case("en"));
        let words = if english { &ENGLISH } else { &VIETNAMESE };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "%% The cascade of {} on {}: each document coloured by the share of its tasks finished.",
            self.root().symbol,
            format_day(self.as_of)
        );
        out.push_str("flowchart TD\n");
        for (i, cd) in self.documents.iter().enumerate() {
            let d = &cd.model;
            let issuer = self.agency(d.issuer_id).map_or(String::new(), |a| {
                let name =
                    if english { Translations::from_json(&a.name_i18n).get("en").map(str::to_owned) } else { None };
                name.unwrap_or_else(|| a.name.clone())
            });
            let counts = self.counts_of(d.id);
            let share = completion(&counts);
            let done = counts.get(TaskStatus::CompletedOnTime) + counts.get(TaskStatus::CompletedLate);
            let finishable = counts.total() - counts.get(TaskStatus::Ongoing) - counts.get(TaskStatus::Cancelled);
            let progress = match share {
                Some(share) => {
                    let mut p = format!("{} {done}/{finishable} ({:.0}%)", words.done, share * 100.0);
                    let overdue = counts.get(TaskStatus::InProgressOverdue);
                    if overdue > 0 {
                        let _ = write!(p, " · {overdue} {}", words.overdue);
                    }
                    p
                }
                None => words.nothing.to_owned(),
            };
            let _ = writeln!(
                out,
                "  d{i}[\"<b>{}</b><br/>{}<br/>{}<br/>{}\"]",
                label_text(&d.symbol),
                label_text(&issuer),
                format_day(d.issued_on),
                label_text(&progress)
            );
            let _ = writeln!(out, "  style d{i} fill:{},stroke:#455a64,color:#212121", fill(share));
        }
        let index = |id| self.documents.iter().position(|d| d.model.id == id);
        for (i, cd) in self.documents.iter().enumerate() {
            for target in cd.implements.iter().filter_map(|t| index(*t)) {
                let _ = writeln!(out, "  d{target} --> d{i}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_run_from_red_to_green() {
        assert_eq!(fill(Some(0.0)), "#ef9a9a");
        assert_eq!(fill(Some(0.5)), "#ffe082");
        assert_eq!(fill(Some(1.0)), "#a5d6a7");
        assert_eq!(fill(None), "#e0e0e0");
        assert_ne!(fill(Some(0.25)), fill(Some(0.75)));
    }

    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(label_text("a\"b<c>#d&"), "a#quot;b#lt;c#gt;#35;d#amp;");
    }
}
