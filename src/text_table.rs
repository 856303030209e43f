//! Tables for a terminal: the first column (labels) aligned left, the others (numbers)
//! aligned right, columns two spaces apart.

/// `lines` as aligned text, each line starting with `indent` and ending with a newline.
pub fn aligned(lines: &[Vec<String>], indent: &str) -> String {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 0 {
                    format!("{cell:<w$}", w = widths[c])
                } else {
                    format!("{cell:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(indent);
        out.push_str(&cells.join("  "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::aligned;

    #[test]
    fn labels_left_numbers_right() {
        let lines = vec![
            vec!["campaign".to_string(), "sent".into()],
            vec!["avr".to_string(), "25451".into()],
        ];
        assert_eq!(
            aligned(&lines, "  "),
            "  campaign   sent\n  avr       25451\n"
        );
    }
}
