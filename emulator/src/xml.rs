//! OSS's XML, in and out, with quick-xml: a small writer for the answers, and a reader that
//! flattens a request body into its leaves (`Delete/Object/Key` and the text).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use quick_xml::Reader;
use quick_xml::escape::partial_escape;
use quick_xml::events::Event;

/// An XML answer being written: elements in the order OSS writes them.
#[derive(Debug)]
pub(crate) struct Xml(String);

impl Xml {
    /// A document with the declaration, its root `root` opened.
    pub(crate) fn new(root: &str) -> Xml {
        let mut xml = Xml(String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        xml.open(root);
        xml
    }

    /// Opens element `name`.
    pub(crate) fn open(&mut self, name: &str) -> &mut Xml {
        self.0.push('<');
        self.0.push_str(name);
        self.0.push('>');
        self
    }

    /// Closes element `name`.
    pub(crate) fn close(&mut self, name: &str) -> &mut Xml {
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push('>');
        self
    }

    /// `<name>text</name>`, the text escaped.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) -> &mut Xml {
        self.open(name);
        self.0.push_str(&partial_escape(text));
        self.close(name)
    }

    /// Closes the root `root` and gives the text.
    pub(crate) fn finish(mut self, root: &str) -> String {
        self.close(root);
        self.0
    }
}

/// What `encoding-type=url` leaves as it is.
const URL_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `text`, percent-encoded when `url`.
pub(crate) fn encode(text: &str, url: bool) -> String {
    if url {
        utf8_percent_encode(text, URL_SAFE).to_string()
    } else {
        text.to_owned()
    }
}

/// The leaves of an XML document in document order: (`Root/Child/Leaf`, text). An empty
/// element is a leaf with empty text. `None`: not well-formed.
pub(crate) fn leaves(xml: &[u8]) -> Option<Vec<(String, String)>> {
    let mut reader = Reader::from_reader(xml);
    let mut path: Vec<String> = Vec::new();
    // Per open element: whether it had child elements.
    let mut parents: Vec<bool> = Vec::new();
    let mut text = String::new();
    let mut leaves = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                if let Some(parent) = parents.last_mut() {
                    *parent = true;
                }
                path.push(AsRef::<str>::as_ref(&start.local_name()).to_owned());
                parents.push(false);
                text.clear();
            }
            Event::Empty(start) => {
                if let Some(parent) = parents.last_mut() {
                    *parent = true;
                }
                let name = AsRef::<str>::as_ref(&start.local_name()).to_owned();
                let mut full = path.join("/");
                if !full.is_empty() {
                    full.push('/');
                }
                full.push_str(&name);
                leaves.push((full, String::new()));
            }
            Event::Text(chunk) => text.push_str(&chunk.into_inner()),
            Event::CData(chunk) => text.push_str(&chunk.into_inner()),
            Event::GeneralRef(reference) => text.push(entity(&reference)?),
            Event::End(_) => {
                let had_children = parents.pop()?;
                if !had_children {
                    leaves.push((path.join("/"), std::mem::take(&mut text)));
                }
                path.pop();
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() || leaves.is_empty() && xml.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(leaves)
}

/// The character an entity or character reference stands for.
pub(crate) fn entity(reference: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Some(c);
    }
    match &*reference.clone().into_inner() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// The text of the first leaf at `path`.
pub(crate) fn find<'a>(leaves: &'a [(String, String)], path: &str) -> Option<&'a str> {
    leaves
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, t)| t.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_keep_order_and_empty_values() {
        let xml = b"<Tagging><TagSet><Tag><Key>a</Key><Value/></Tag><Tag><Key>b&amp;</Key><Value>2</Value></Tag></TagSet></Tagging>";
        let leaves = leaves(xml).unwrap_or_default();
        let expected = [
            ("Tagging/TagSet/Tag/Key", "a"),
            ("Tagging/TagSet/Tag/Value", ""),
            ("Tagging/TagSet/Tag/Key", "b&"),
            ("Tagging/TagSet/Tag/Value", "2"),
        ];
        let got: Vec<(&str, &str)> = leaves
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn broken_xml_is_none() {
        assert!(leaves(b"<a><b></a>").is_none());
        assert!(leaves(b"<a>").is_none());
        assert!(leaves(b"").is_none());
    }

    #[test]
    fn the_writer_escapes_text() {
        let mut xml = Xml::new("R");
        xml.leaf("K", "a<b");
        assert!(xml.finish("R").ends_with("<R><K>a&lt;b</K></R>"));
    }
}
