//! Byte offsets ↔ LSP positions. Baton's spans are byte offsets into UTF-8 text; LSP
//! positions are (line, column) where the column counts UTF-16 code units, so `é` is one
//! unit and `😀` two. Getting this wrong puts squiggles in the wrong place on any line
//! with a non-ASCII title before the error.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification says.

use baton_diagnostics::Span;
use lsp_types::{Position, Range};

/// The start offset of every line of one text, for conversions in O(log lines + line
/// length).
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts; the first is always 0.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = baton_diagnostics::line_starts(text);
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The LSP position of a byte offset. Offsets past the end clamp to the end; an offset
    /// inside a character counts as the start of that character.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(self.len).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0).min(offset);
        let before = text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        Position {
            line: to_u32(line),
            character: to_u32(before),
        }
    }

    /// The byte offset of an LSP position. A line past the end gives the end of the text; a
    /// column past the end of its line gives the end of the line (before its line break),
    /// and a column inside a surrogate pair gives the start of that character. Clients
    /// send such positions for half-typed or stale documents, so none of them is an error.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .min(text.len());
        let line_text = text.get(start..end).unwrap_or("");
        let content = line_text.trim_end_matches(['\n', '\r']);
        let wanted = position.character as usize;
        let mut units = 0;
        for (i, c) in content.char_indices() {
            if units + c.len_utf16() > wanted {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + content.len()
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range {
            start: self.position(text, span.start as usize),
            end: self.position(text, span.end as usize),
        }
    }

    /// The byte span of an LSP range (start and end clamped as in [`LineIndex::offset`]).
    pub fn span(&self, text: &str, range: Range) -> Span {
        let start = self.offset(text, range.start);
        let end = self.offset(text, range.end).max(start);
        Span::new(start, end)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn ascii_round_trips() {
        let text = "ab\ncd\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), pos(0, 0));
        assert_eq!(index.position(text, 2), pos(0, 2));
        assert_eq!(index.position(text, 3), pos(1, 0));
        assert_eq!(index.position(text, 6), pos(2, 0));
        for offset in 0..=text.len() {
            assert_eq!(index.offset(text, index.position(text, offset)), offset);
        }
    }

    #[test]
    fn columns_count_utf16_units() {
        // `é` is 2 bytes and 1 UTF-16 unit; `😀` is 4 bytes and 2 units.
        let text = "step a \"Café 😀\" { by x }\nnext";
        let index = LineIndex::new(text);
        let by = text.find("by").unwrap_or(0);
        // Characters before `by`: `step a "Caf` (11) + `é` (1) + ` ` (1) + `😀` (2) + `" { ` (4).
        assert_eq!(index.position(text, by), pos(0, 19));
        assert_eq!(index.offset(text, pos(0, 19)), by);
        let next = text.find("next").unwrap_or(0);
        assert_eq!(index.position(text, next), pos(1, 0));
        for (offset, _) in text.char_indices() {
            assert_eq!(index.offset(text, index.position(text, offset)), offset);
        }
    }

    #[test]
    fn positions_inside_characters_and_past_ends_clamp() {
        let text = "a😀b\nxy";
        let index = LineIndex::new(text);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(index.offset(text, pos(0, 2)), 1);
        // Inside the emoji's bytes: the column of the emoji.
        assert_eq!(index.position(text, 2), pos(0, 1));
        // Past the end of a line: the end of that line, before its break.
        assert_eq!(index.offset(text, pos(0, 99)), 6);
        // Past the last line: the end of the text.
        assert_eq!(index.offset(text, pos(9, 0)), text.len());
        assert_eq!(index.position(text, 999), pos(1, 2));
    }

    #[test]
    fn all_line_breaks_count() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 3), pos(1, 0));
        assert_eq!(index.position(text, 5), pos(2, 0));
        assert_eq!(index.position(text, 7), pos(3, 0));
        assert_eq!(index.offset(text, pos(0, 5)), 1);
        assert_eq!(index.offset(text, pos(3, 1)), 8);
    }
}
