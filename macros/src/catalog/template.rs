//! Message templates: `Error Status : {status}.User server missing content-length.`
//!
//! A template is kept twice: as `segments` (literal text and placeholders, for `Display`) and
//! as `pieces` (what the matcher compares). The matching rules, shared with the generated code
//! through `oss_callback::__private::matcher`:
//! - words compare ASCII case-insensitively, and exactly otherwise;
//! - a space between two words (or placeholders) matches any run of whitespace, at least one;
//! - whitespace next to punctuation is optional (`Error status: 502.` = `Error status : 502.`);
//! - a final `.` is optional, and leading and trailing whitespace is ignored;
//! - an integer placeholder matches `-?[0-9]+` that fits its type; a string placeholder matches
//!   a non-empty run up to whitespace or the punctuation that follows it in the template.

use std::collections::BTreeMap;

use super::model::FieldType;

/// A parsed message template.
#[derive(Clone)]
pub(crate) struct Template {
    /// The template as written in the catalog.
    pub(crate) text: String,
    pub(crate) segments: Vec<Segment>,
    pub(crate) pieces: Vec<Piece>,
}

/// Literal text or a placeholder, in the order of the template.
#[derive(Clone)]
pub(crate) enum Segment {
    Literal(String),
    Placeholder(String),
}

/// One step of the matcher.
#[derive(Clone, Debug)]
pub(crate) enum Piece {
    /// A word, lower-cased.
    Word(String),
    /// An ASCII punctuation character, with optional whitespace around it. The flags say
    /// whether the template writes a space before and after it (its usual spelling, used by
    /// the matcher's fast path).
    Punct {
        c: u8,
        spaced_before: bool,
        spaced_after: bool,
    },
    /// At least one whitespace character.
    Space,
    /// An integer placeholder of the given type.
    Int { ty: FieldType },
    /// A string placeholder, ending at whitespace or at `stop`.
    Text { stop: Option<u8> },
    /// Optional final dot and whitespace, then the end of the input.
    End,
}

impl Piece {
    /// Whether two pieces match the same inputs the same way (names aside), so that the
    /// matcher can share them between templates.
    pub(crate) fn same_step(&self, other: &Piece) -> bool {
        match (self, other) {
            (Piece::Word(a), Piece::Word(b)) => a == b,
            (Piece::Punct { c: a, .. }, Piece::Punct { c: b, .. }) => a == b,
            (Piece::Space, Piece::Space) | (Piece::End, Piece::End) => true,
            (Piece::Int { ty: a }, Piece::Int { ty: b }) => a == b,
            (Piece::Text { stop: a }, Piece::Text { stop: b }) => a == b,
            _ => false,
        }
    }
}

/// A token of the template's text before pieces are chosen.
enum Lexeme {
    Space,
    Word(String),
    Punct(u8),
    Placeholder(String),
}

impl Template {
    /// Parses `text`, whose placeholders must all be declared in `types`.
    pub(crate) fn parse(text: &str, types: &BTreeMap<String, FieldType>) -> Result<Self, String> {
        let segments = segments(text)?;
        let lexemes = lexemes(&segments);
        let pieces = pieces(&lexemes, types)?;
        Ok(Template {
            text: text.to_owned(),
            segments,
            pieces,
        })
    }

    /// The placeholder names of `text` in order, without checking their types.
    pub(crate) fn placeholder_names(text: &str) -> Result<Vec<String>, String> {
        Ok(segments(text)?
            .into_iter()
            .filter_map(|segment| match segment {
                Segment::Placeholder(name) => Some(name),
                Segment::Literal(_) => None,
            })
            .collect())
    }

    /// Placeholder names in order of appearance.
    pub(crate) fn placeholders(&self) -> Vec<&str> {
        self.segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Placeholder(name) => Some(name.as_str()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// Runs the matcher on `input` at compile time (to check samples): the captured values
    /// in order, or `None`.
    pub(crate) fn match_text(&self, input: &str) -> Option<Vec<String>> {
        let bytes = input.as_bytes();
        let mut at = skip_space(bytes, 0);
        let mut captures = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Word(word) => {
                    let end = at + word.len();
                    if !bytes.get(at..end)?.eq_ignore_ascii_case(word.as_bytes()) {
                        return None;
                    }
                    at = end;
                }
                Piece::Punct { c, .. } => {
                    at = skip_space(bytes, at);
                    if bytes.get(at) != Some(c) {
                        return None;
                    }
                    at = skip_space(bytes, at + 1);
                }
                Piece::Space => {
                    let end = skip_space(bytes, at);
                    if end == at {
                        return None;
                    }
                    at = end;
                }
                Piece::Int { ty } => {
                    let mut end = at;
                    if bytes.get(end) == Some(&b'-') {
                        end += 1;
                    }
                    let digits = end;
                    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                        end += 1;
                    }
                    let value = input.get(at..end)?;
                    if end == digits || !ty.accepts(value) {
                        return None;
                    }
                    captures.push(value.to_owned());
                    at = end;
                }
                Piece::Text { stop } => {
                    let mut end = at;
                    while bytes
                        .get(end)
                        .is_some_and(|b| !b.is_ascii_whitespace() && Some(*b) != *stop)
                    {
                        end += 1;
                    }
                    if end == at {
                        return None;
                    }
                    captures.push(input.get(at..end)?.to_owned());
                    at = end;
                }
                Piece::End => {
                    at = skip_space(bytes, at);
                    if bytes.get(at) == Some(&b'.') {
                        at = skip_space(bytes, at + 1);
                    }
                    return (at == bytes.len()).then_some(captures);
                }
            }
        }
        None
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Splits the text into literals and `{placeholders}`; `{{` and `}}` are literal braces.
fn segments(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("unclosed placeholder `{{{name}` in `{text}`")),
                    }
                }
                if !is_placeholder_name(&name) {
                    return Err(format!(
                        "`{{{name}}}` is not a placeholder: names are lowercase letters, digits and `_`, and not a Rust keyword (write `{{{{` for a literal brace)"
                    ));
                }
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Placeholder(name));
            }
            '}' => {
                return Err(format!(
                    "unmatched `}}` in `{text}` (write `}}}}` for a literal brace)"
                ));
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(segments)
}

/// A placeholder becomes a field name: lowercase, and a valid identifier (no keyword, not `_`).
fn is_placeholder_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(name).is_ok()
}

fn lexemes(segments: &[Segment]) -> Vec<Lexeme> {
    let mut lexemes = Vec::new();
    for segment in segments {
        let literal = match segment {
            Segment::Placeholder(name) => {
                lexemes.push(Lexeme::Placeholder(name.clone()));
                continue;
            }
            Segment::Literal(literal) => literal,
        };
        for c in literal.chars() {
            if c.is_ascii_whitespace() {
                if !matches!(lexemes.last(), Some(Lexeme::Space)) {
                    lexemes.push(Lexeme::Space);
                }
            } else if c.is_ascii_punctuation() {
                // ASCII, so the cast keeps the character.
                lexemes.push(Lexeme::Punct(c as u8));
            } else if let Some(Lexeme::Word(word)) = lexemes.last_mut() {
                word.push(c.to_ascii_lowercase());
            } else {
                lexemes.push(Lexeme::Word(c.to_ascii_lowercase().to_string()));
            }
        }
    }
    lexemes
}

fn pieces(lexemes: &[Lexeme], types: &BTreeMap<String, FieldType>) -> Result<Vec<Piece>, String> {
    let mut lexemes: Vec<&Lexeme> = lexemes.iter().collect();
    let trim = |lexemes: &mut Vec<&Lexeme>| {
        while matches!(lexemes.last(), Some(Lexeme::Space)) {
            lexemes.pop();
        }
        while matches!(lexemes.first(), Some(Lexeme::Space)) {
            lexemes.remove(0);
        }
    };
    trim(&mut lexemes);
    let final_dot = matches!(lexemes.last(), Some(Lexeme::Punct(b'.')));
    if final_dot {
        lexemes.pop();
        trim(&mut lexemes);
    }
    if lexemes.is_empty() {
        return Err("the message is empty".to_owned());
    }

    let mut pieces = Vec::new();
    for (i, lexeme) in lexemes.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| lexemes.get(j));
        let next = lexemes.get(i + 1);
        match lexeme {
            Lexeme::Space => {
                let near_punct = matches!(prev, Some(Lexeme::Punct(_)))
                    || matches!(next, Some(Lexeme::Punct(_)));
                if !near_punct {
                    pieces.push(Piece::Space);
                }
            }
            Lexeme::Word(word) => pieces.push(Piece::Word(word.clone())),
            Lexeme::Punct(c) => pieces.push(Piece::Punct {
                c: *c,
                spaced_before: matches!(prev, Some(Lexeme::Space)),
                spaced_after: matches!(next, Some(Lexeme::Space)),
            }),
            Lexeme::Placeholder(name) => {
                let ty = *types.get(name).ok_or_else(|| {
                    format!("unknown placeholder `{{{name}}}`: declare its type in `fields`, e.g. `fields = {{ {name} = \"i32\" }}`")
                })?;
                pieces.push(placeholder_piece(name, ty, next.copied(), final_dot)?);
            }
        }
    }
    pieces.push(Piece::End);
    Ok(pieces)
}

/// The piece for `{name}`, checking that the matcher can tell where its value ends.
fn placeholder_piece(
    name: &str,
    ty: FieldType,
    next: Option<&Lexeme>,
    final_dot: bool,
) -> Result<Piece, String> {
    if let Some(Lexeme::Placeholder(other)) = next {
        return Err(format!(
            "placeholders `{{{name}}}` and `{{{other}}}` touch: separate them with a space or punctuation"
        ));
    }
    if ty.is_integer() {
        if let Some(Lexeme::Word(word)) = next {
            if word.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(format!(
                    "integer placeholder `{{{name}}}` is followed by the digits of `{word}`: separate them"
                ));
            }
        }
        return Ok(Piece::Int { ty });
    }
    let stop = match next {
        Some(Lexeme::Punct(c)) => Some(*c),
        Some(Lexeme::Space) => None,
        None => final_dot.then_some(b'.'),
        Some(Lexeme::Word(word)) => {
            return Err(format!(
                "string placeholder `{{{name}}}` is followed directly by `{word}`: put a space or punctuation after it so the matcher knows where the value ends"
            ));
        }
        Some(Lexeme::Placeholder(_)) => None,
    };
    Ok(Piece::Text { stop })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Template {
        let types = BTreeMap::from([
            ("status".to_owned(), FieldType::I32),
            ("addr".to_owned(), FieldType::String),
            ("cost".to_owned(), FieldType::U64),
        ]);
        match Template::parse(text, &types) {
            Ok(template) => template,
            Err(err) => panic!("{err}"),
        }
    }

    #[test]
    fn tolerates_case_spacing_and_final_dot() {
        let t = template("Error Status : {status}.User server missing content-length.");
        for input in [
            "Error Status : 400.User server missing content-length.",
            "error status: 400.User server missing content-length",
            "  ERROR   STATUS:400. User  server missing content - length .  ",
        ] {
            assert_eq!(t.match_text(input), Some(vec!["400".to_owned()]), "{input}");
        }
    }

    #[test]
    fn is_exact_about_words() {
        let t = template("Error Status : {status}.User server missing content-length.");
        for input in [
            "Error Status : 400.User server missing conent-length.",
            "ErrorStatus : 400.User server missing content-length.",
            "Error Status : 400.User server missing content-length.x",
            "Error Status : 400.User server missing content-lengths.",
            "Error Status : .User server missing content-length.",
        ] {
            assert_eq!(t.match_text(input), None, "{input}");
        }
    }

    #[test]
    fn is_anchored() {
        let t = template("Error status : {status}.");
        assert_eq!(
            t.match_text("Error status : 502"),
            Some(vec!["502".to_owned()])
        );
        assert_eq!(
            t.match_text("Error Status : 400.User server missing content-length."),
            None
        );
    }

    #[test]
    fn string_placeholder_stops_at_space_and_integers_keep_their_unit() {
        let t = template("x : {status} {addr} reply, cost:{cost}ms");
        assert_eq!(
            t.match_text("x : -1 8.8.8.8:9090 reply, cost:5000ms"),
            Some(vec![
                "-1".to_owned(),
                "8.8.8.8:9090".to_owned(),
                "5000".to_owned()
            ])
        );
        assert_eq!(t.match_text("x : -1 8.8.8.8:9090 reply, cost:-5ms"), None);
    }

    #[test]
    fn rejects_ambiguous_templates() {
        let types = BTreeMap::from([
            ("a".to_owned(), FieldType::I32),
            ("s".to_owned(), FieldType::String),
        ]);
        assert!(Template::parse("{a}{s}", &types).is_err());
        assert!(Template::parse("{a}5 apples", &types).is_err());
        assert!(Template::parse("{s}apples", &types).is_err());
        assert!(Template::parse("{b}", &types).is_err());
        assert!(Template::parse("{A}", &types).is_err());
        assert!(Template::parse("{a", &types).is_err());
        assert!(Template::parse(" . ", &types).is_err());
        assert!(Template::parse("{type}", &types).is_err());
        assert!(Template::parse("{_}", &types).is_err());
    }
}
