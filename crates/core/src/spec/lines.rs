//! The line and column of the file a JSON pointer refers to, for
//! diagnostics (a minified JSON file is all on line 1: the column says
//! where).
//!
//! JSON: a small scanner walks the text along the pointer, skipping values it
//! does not enter; the column is where the key (or the list item) begins.
//! YAML: block-style mappings and lists are followed by indentation
//! (flow-style parts answer with the line where they begin); the column is
//! where the key or the item begins.
//! When the pointer goes further than the file (a part the converter added,
//! as when OpenAPI 2.0 is converted), the line of the deepest part that
//! exists is given.

use super::Syntax;

/// A 1-based line and column (in characters).
pub(crate) type Position = (u32, u32);

/// Finds lines and columns of pointers in one file's text.
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    syntax: Syntax,
    /// YAML only: the meaningful lines (number, indentation, content).
    lines: Vec<(u32, usize, &'t str)>,
}

impl<'t> LineIndex<'t> {
    /// Prepares the index of `text`.
    pub(crate) fn new(text: &'t str, syntax: Syntax) -> Self {
        let lines = match syntax {
            Syntax::Json => Vec::new(),
            Syntax::Yaml => yaml_lines(text),
        };
        LineIndex {
            text,
            syntax,
            lines,
        }
    }

    /// The 1-based line and column of `pointer`, or of its deepest
    /// existing prefix.
    pub(crate) fn position_of(&self, pointer: &str) -> Option<Position> {
        let segments: Vec<String> = if pointer.is_empty() {
            Vec::new()
        } else {
            pointer
                .split('/')
                .skip(1)
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect()
        };
        match self.syntax {
            Syntax::Json => json_position(self.text, &segments),
            Syntax::Yaml => self.yaml_position(&segments),
        }
    }

    fn yaml_position(&self, segments: &[String]) -> Option<Position> {
        // The scope: a range of `lines`, and the content of a list item's
        // first line (which starts after its `- `).
        let mut start = 0usize;
        let mut end = self.lines.len();
        let mut first: Option<(usize, &str)> = None;
        let mut found: Option<Position> = self.lines.first().map(|l| (l.0, column(l.1)));
        for segment in segments {
            let scope_line = |i: usize| -> Option<(u32, usize, &str)> {
                let (n, indent, content) = *self.lines.get(i)?;
                match first {
                    Some((fi, fc)) if i == start => Some((n, fi, fc)),
                    _ => Some((n, indent, content)),
                }
            };
            let Some((_, scope_indent, _)) = scope_line(start).filter(|_| start < end) else {
                return found;
            };
            let mut hit = None;
            let mut item = 0usize;
            let want_index: Option<usize> = segment.parse().ok();
            for i in start..end {
                let Some((n, indent, content)) = scope_line(i) else {
                    break;
                };
                if indent != scope_indent {
                    continue;
                }
                if let Some(rest) = content
                    .strip_prefix('-')
                    .filter(|r| r.is_empty() || r.starts_with(' '))
                {
                    if want_index == Some(item) {
                        let trimmed = rest.trim_start();
                        let inner = indent + 1 + (rest.len() - trimmed.len());
                        hit = Some((
                            i,
                            n,
                            indent,
                            (!trimmed.is_empty()).then_some((inner, trimmed)),
                        ));
                        break;
                    }
                    item += 1;
                } else if let Some(after) = key_match(content, segment) {
                    let inline = after.trim();
                    let inline = !(inline.is_empty()
                        || inline.starts_with('#')
                        || inline.starts_with('&')
                        || inline.starts_with('|')
                        || inline.starts_with('>'));
                    hit = Some((i, n, indent, None));
                    if inline {
                        // A flow or scalar value on the same line: nothing deeper to find.
                        return Some((n, column(indent)));
                    }
                    break;
                }
            }
            let Some((i, n, indent, item_first)) = hit else {
                return found;
            };
            found = Some((n, column(indent)));
            let mut j = i + 1;
            while let Some((_, ind, _)) = self.lines.get(j) {
                if *ind <= indent {
                    break;
                }
                j += 1;
            }
            match item_first {
                Some(f) => {
                    start = i;
                    first = Some(f);
                }
                None => {
                    start = i + 1;
                    first = None;
                }
            }
            end = j;
        }
        found
    }
}

/// The 1-based column after `indent` spaces.
fn column(indent: usize) -> u32 {
    u32::try_from(indent + 1).unwrap_or(u32::MAX)
}

/// The text after `key:` when `content` starts with that key (plain or quoted).
fn key_match<'c>(content: &'c str, key: &str) -> Option<&'c str> {
    for (open, close) in [("", ""), ("\"", "\""), ("'", "'")] {
        let Some(rest) = content.strip_prefix(open) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(key) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(close) else {
            continue;
        };
        let rest = rest.trim_start_matches(' ');
        if let Some(after) = rest.strip_prefix(':') {
            if after.is_empty() || after.starts_with(' ') || after.starts_with('\t') {
                return Some(after);
            }
        }
    }
    None
}

fn yaml_lines(text: &str) -> Vec<(u32, usize, &str)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let content = content.trim_end();
        if content.is_empty()
            || content.starts_with('#')
            || content == "---"
            || content.starts_with('%')
        {
            continue;
        }
        out.push((u32::try_from(n + 1).unwrap_or(u32::MAX), indent, content));
    }
    out
}

/// Walks JSON text along `segments`; the position of the deepest part found.
fn json_position(text: &str, segments: &[String]) -> Option<Position> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    let mut found = pos;
    'segments: for segment in segments {
        match bytes.get(pos) {
            Some(b'{') => {
                pos += 1;
                loop {
                    pos = skip_ws(bytes, pos);
                    if bytes.get(pos) != Some(&b'"') {
                        break 'segments;
                    }
                    let key_start = pos;
                    let (key, after) = read_string(bytes, pos)?;
                    pos = skip_ws(bytes, after);
                    if bytes.get(pos) != Some(&b':') {
                        break 'segments;
                    }
                    pos = skip_ws(bytes, pos + 1);
                    if key == *segment {
                        found = key_start;
                        continue 'segments;
                    }
                    pos = skip_ws(bytes, skip_value(bytes, pos)?);
                    match bytes.get(pos) {
                        Some(b',') => pos += 1,
                        _ => break 'segments,
                    }
                }
            }
            Some(b'[') => {
                let Ok(index) = segment.parse::<usize>() else {
                    break;
                };
                pos += 1;
                for _ in 0..index {
                    pos = skip_ws(bytes, skip_value(bytes, skip_ws(bytes, pos))?);
                    match bytes.get(pos) {
                        Some(b',') => pos += 1,
                        _ => break 'segments,
                    }
                }
                pos = skip_ws(bytes, pos);
                if matches!(bytes.get(pos), Some(b']') | None) {
                    break;
                }
                found = pos;
            }
            _ => break,
        }
    }
    let before = bytes.get(..found)?;
    let newlines = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    // `found` is at an ASCII token (a quote, a bracket), so at a character
    // boundary; the column counts characters, as editors do.
    let column = text.get(line_start..found)?.chars().count() + 1;
    Some((
        u32::try_from(newlines + 1).ok()?,
        u32::try_from(column).unwrap_or(u32::MAX),
    ))
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        pos += 1;
    }
    pos
}

/// Reads a JSON string starting at `pos` (at its quote): its value and the
/// position after it.
fn read_string(bytes: &[u8], pos: usize) -> Option<(String, usize)> {
    let mut i = pos + 1;
    let start = i;
    let mut simple = true;
    loop {
        match bytes.get(i)? {
            b'"' => break,
            b'\\' => {
                simple = false;
                i += 2;
            }
            _ => i += 1,
        }
    }
    let raw = bytes.get(pos..=i)?;
    let value = if simple {
        String::from_utf8_lossy(bytes.get(start..i)?).into_owned()
    } else {
        serde_json::from_slice::<String>(raw).ok()?
    };
    Some((value, i + 1))
}

/// The position just after the JSON value starting at `pos`.
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match bytes.get(pos)? {
        b'"' => skip_string(bytes, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while let Some(b) = bytes.get(i) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                i += 1;
            }
            Some(i)
        }
    }
}

/// The position just after the JSON string starting at `pos`.
fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        match bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(idx: &LineIndex, pointer: &str) -> Option<u32> {
        idx.position_of(pointer).map(|(l, _)| l)
    }

    const JSON: &str = "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {\n    \"/a\": {\"get\": {}},\n    \"/pets/{id}\": {\n      \"get\": {\n        \"parameters\": [\n          {\"name\": \"x\"},\n          {\n            \"name\": \"y\"\n          }\n        ]\n      }\n    }\n  }\n}";

    #[test]
    fn json_pointers() {
        let idx = LineIndex::new(JSON, Syntax::Json);
        assert_eq!(line(&idx, ""), Some(1));
        assert_eq!(line(&idx, "/paths"), Some(3));
        assert_eq!(line(&idx, "/paths/~1pets~1{id}/get"), Some(6));
        assert_eq!(line(&idx, "/paths/~1pets~1{id}/get/parameters/1"), Some(9));
        assert_eq!(
            line(&idx, "/paths/~1pets~1{id}/get/parameters/1/name"),
            Some(10)
        );
        assert_eq!(line(&idx, "/paths/~1pets~1{id}/get/requestBody"), Some(6));
        assert_eq!(line(&idx, "/paths/~1a/get"), Some(4));
    }

    const YAML: &str = "openapi: 3.0.0\npaths:\n  /a:\n    get: {}\n  '/pets/{id}':\n    # comment\n    get:\n      description: |\n        parameters: not this\n      parameters:\n        - name: x\n          in: query\n        -\n          name: y\n      responses:\n        200:\n          description: ok\n";

    #[test]
    fn yaml_pointers() {
        let idx = LineIndex::new(YAML, Syntax::Yaml);
        assert_eq!(line(&idx, "/paths"), Some(2));
        assert_eq!(line(&idx, "/paths/~1a/get"), Some(4));
        assert_eq!(line(&idx, "/paths/~1pets~1{id}/get"), Some(7));
        assert_eq!(line(&idx, "/paths/~1pets~1{id}/get/parameters"), Some(10));
        assert_eq!(line(&idx, "/paths/~1pets~1{id}/get/parameters/0"), Some(11));
        assert_eq!(
            line(&idx, "/paths/~1pets~1{id}/get/parameters/0/in"),
            Some(12)
        );
        assert_eq!(
            line(&idx, "/paths/~1pets~1{id}/get/parameters/1/name"),
            Some(14)
        );
        assert_eq!(
            line(&idx, "/paths/~1pets~1{id}/get/responses/200/description"),
            Some(17)
        );
        assert_eq!(line(&idx, "/paths/~1pets~1{id}/get/requestBody"), Some(7));
    }

    #[test]
    fn columns_in_json_and_yaml() {
        let idx = LineIndex::new(JSON, Syntax::Json);
        assert_eq!(idx.position_of("/paths"), Some((3, 3)));
        assert_eq!(
            idx.position_of("/paths/~1pets~1{id}/get/parameters/0"),
            Some((8, 11))
        );
        let minified = r#"{"openapi":"3.0.0","paths":{"/a":{"get":{"parameters":[{"name":"x"},{"name":"é"},{"name":"y"}]}}}}"#;
        let idx = LineIndex::new(minified, Syntax::Json);
        let at = |p: &str| idx.position_of(p).unwrap();
        assert_eq!(at("/paths"), (1, 20));
        let third = "/paths/~1a/get/parameters/2";
        let byte = minified.find(r#"{"name":"y"}"#).unwrap();
        assert_eq!(at(third), (1, minified[..byte].chars().count() as u32 + 1));
        assert_eq!(at(third).1 as usize, byte, "one 2-byte character before it");

        let idx = LineIndex::new(YAML, Syntax::Yaml);
        assert_eq!(idx.position_of("/paths"), Some((2, 1)));
        assert_eq!(idx.position_of("/paths/~1a/get"), Some((4, 5)));
        assert_eq!(
            idx.position_of("/paths/~1pets~1{id}/get/parameters/0"),
            Some((11, 9))
        );
        assert_eq!(
            idx.position_of("/paths/~1pets~1{id}/get/parameters/0/in"),
            Some((12, 11))
        );
        assert_eq!(
            idx.position_of("/paths/~1pets~1{id}/get/parameters/1/name"),
            Some((14, 11))
        );
    }
}
