//! A bucket's CORS rules and how OSS matches a request against them, without HTTP: the
//! stored `CORSConfiguration` parsed, and the first rule that allows (origin, method,
//! requested headers).
//!
//! The rules as OSS documents them (PutBucketCors, Options, "Configure CORS"):
//! - up to 10 rules, tried in order, the first match wins;
//! - an `AllowedOrigin` or `AllowedHeader` holds at most one `*`, anywhere (`*` alone: any);
//! - the method must be one of the rule's `AllowedMethod` (GET, PUT, DELETE, POST, HEAD);
//! - every header of `Access-Control-Request-Headers` must match an `AllowedHeader`,
//!   case-insensitively;
//! - an `ExposeHeader` has no `*`; `MaxAgeSeconds` appears at most once.

use quick_xml::Reader;
use quick_xml::events::Event;

/// The most rules a bucket keeps.
const MAX_RULES: usize = 10;

/// The methods a rule may allow.
const METHODS: &[&str] = &["GET", "PUT", "DELETE", "POST", "HEAD"];

/// The headers `--cors-allow-all` exposes: those a browser SDK reads (ali-oss reads `ETag` of
/// each part of a multipart upload, and `x-oss-request-id` for its errors).
const EXPOSED_BY_ALLOW_ALL: &[&str] = &[
    "ETag",
    "x-oss-request-id",
    "x-oss-hash-crc64ecma",
    "x-oss-next-append-position",
    "x-oss-object-type",
];

/// One `CORSRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Rule {
    /// `AllowedOrigin`: patterns with at most one `*`.
    pub(crate) origins: Vec<String>,
    /// `AllowedMethod`.
    pub(crate) methods: Vec<String>,
    /// `AllowedHeader`: patterns with at most one `*`, case-insensitive.
    pub(crate) headers: Vec<String>,
    /// `ExposeHeader`.
    pub(crate) expose: Vec<String>,
    /// `MaxAgeSeconds`.
    pub(crate) max_age: Option<u64>,
}

/// A bucket's `CORSConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CorsRules {
    /// The rules, in order.
    pub(crate) rules: Vec<Rule>,
    /// `ResponseVary`: `Vary: Origin` on every answer of the bucket.
    pub(crate) response_vary: bool,
}

/// Why a `CORSConfiguration` is refused, as OSS refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// Not the document OSS's schema describes (`MalformedXML`).
    Malformed(String),
    /// A value OSS refuses (`InvalidArgument` with `ArgumentName` and `ArgumentValue`).
    Argument {
        /// The element.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why, in words.
        why: String,
    },
}

/// `InvalidArgument` about element `name` with `value`.
fn argument(name: &'static str, value: &str, why: String) -> Invalid {
    Invalid::Argument {
        name,
        value: value.to_owned(),
        why,
    }
}

/// Not well-formed XML.
fn malformed(why: impl std::fmt::Display) -> Invalid {
    Invalid::Malformed(format!("not well-formed XML: {why}"))
}

/// Why no rule allows a request, for the event (OSS's answer says none of this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// The bucket has no rules.
    NoRules,
    /// No rule names the origin.
    Origin,
    /// Rules name the origin, none with the method.
    Method,
    /// Rules name the origin and method, none allows every requested header.
    Header,
}

impl Mismatch {
    /// In words.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Mismatch::NoRules => "the bucket has no CORS rules (PutBucketCors)",
            Mismatch::Origin => "no rule's AllowedOrigin matches the origin",
            Mismatch::Method => "the rules for this origin do not allow the method",
            Mismatch::Header => "a requested header matches no AllowedHeader of the rules",
        }
    }
}

impl CorsRules {
    /// What `--cors-allow-all` gives a bucket without rules: any origin, method and header.
    pub(crate) fn allow_all() -> CorsRules {
        CorsRules {
            rules: vec![Rule {
                origins: vec!["*".to_owned()],
                methods: METHODS.iter().map(|m| (*m).to_owned()).collect(),
                headers: vec!["*".to_owned()],
                expose: EXPOSED_BY_ALLOW_ALL
                    .iter()
                    .map(|h| (*h).to_owned())
                    .collect(),
                max_age: None,
            }],
            response_vary: false,
        }
    }

    /// Parses and checks a `CORSConfiguration` document; `Err` says what OSS would refuse.
    pub(crate) fn parse(xml: &[u8]) -> Result<CorsRules, Invalid> {
        let mut reader = Reader::from_reader(xml);
        let mut path: Vec<String> = Vec::new();
        let mut text = String::new();
        let mut config = CorsRules::default();
        loop {
            let event = reader.read_event().map_err(malformed)?;
            match event {
                Event::Start(start) => {
                    let name = AsRef::<str>::as_ref(&start.local_name()).to_owned();
                    if path.len() == 1 && name == "CORSRule" {
                        config.rules.push(Rule::default());
                    }
                    path.push(name);
                    text.clear();
                }
                Event::Text(chunk) => text.push_str(&chunk.into_inner()),
                Event::CData(chunk) => text.push_str(&chunk.into_inner()),
                Event::GeneralRef(reference) => text.push(
                    crate::xml::entity(&reference).ok_or_else(|| malformed("an unknown entity"))?,
                ),
                Event::End(_) => {
                    config.leaf(&path, text.trim().to_owned())?;
                    path.pop();
                    text.clear();
                }
                Event::Empty(start)
                    if path.len() == 1
                        && AsRef::<str>::as_ref(&start.local_name()) == "CORSRule" =>
                {
                    config.rules.push(Rule::default());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !path.is_empty() {
            return Err(malformed("an element is not closed"));
        }
        config.check()?;
        Ok(config)
    }

    /// Takes the text of the element at `path`.
    fn leaf(&mut self, path: &[String], value: String) -> Result<(), Invalid> {
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        match names.as_slice() {
            ["CORSConfiguration", "ResponseVary"] => {
                self.response_vary = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    other => {
                        let why = "ResponseVary must be true or false".to_owned();
                        return Err(argument("ResponseVary", other, why));
                    }
                };
            }
            ["CORSConfiguration", "CORSRule", element] => {
                let Some(rule) = self.rules.last_mut() else {
                    return Ok(());
                };
                match *element {
                    "AllowedOrigin" => rule.origins.push(value),
                    "AllowedMethod" => rule.methods.push(value),
                    "AllowedHeader" => rule.headers.push(value),
                    "ExposeHeader" => rule.expose.push(value),
                    "MaxAgeSeconds" => {
                        if rule.max_age.is_some() {
                            let why = "a CORSRule has at most one MaxAgeSeconds";
                            return Err(Invalid::Malformed(why.to_owned()));
                        }
                        let seconds = value.parse().map_err(|_| {
                            let why = "MaxAgeSeconds must be a number of seconds, 0 or more";
                            argument("MaxAgeSeconds", &value, why.to_owned())
                        })?;
                        rule.max_age = Some(seconds);
                    }
                    _ => {}
                }
            }
            [root] if *root != "CORSConfiguration" => {
                let why = format!("the root element must be CORSConfiguration, not {root}");
                return Err(Invalid::Malformed(why));
            }
            _ => {}
        }
        Ok(())
    }

    /// OSS's limits on the rules.
    fn check(&self) -> Result<(), Invalid> {
        if self.rules.is_empty() {
            let why = "a CORSConfiguration needs at least one CORSRule";
            return Err(Invalid::Malformed(why.to_owned()));
        }
        if self.rules.len() > MAX_RULES {
            let why = format!("a bucket has at most {MAX_RULES} CORS rules");
            return Err(argument("CORSRule", &self.rules.len().to_string(), why));
        }
        for rule in &self.rules {
            if rule.origins.is_empty() || rule.methods.is_empty() {
                let why = "each CORSRule needs an AllowedOrigin and an AllowedMethod";
                return Err(Invalid::Malformed(why.to_owned()));
            }
            if let Some(method) = rule.methods.iter().find(|m| !METHODS.contains(&m.as_str())) {
                let why = format!("AllowedMethod is one of {}", METHODS.join(", "));
                return Err(argument("AllowedMethod", method, why));
            }
            let patterns = [
                ("AllowedOrigin", &rule.origins),
                ("AllowedHeader", &rule.headers),
            ];
            for (name, values) in patterns {
                if let Some(pattern) = values.iter().find(|p| p.matches('*').count() > 1) {
                    let why = format!("an {name} has at most one *");
                    return Err(argument(name, pattern, why));
                }
            }
            if let Some(header) = rule.expose.iter().find(|h| h.contains('*')) {
                let why = "an ExposeHeader cannot contain *".to_owned();
                return Err(argument("ExposeHeader", header, why));
            }
        }
        Ok(())
    }

    /// The first rule allowing `origin` to use `method` with the `requested` headers.
    pub(crate) fn find(
        &self,
        origin: &str,
        method: &str,
        requested: &[&str],
    ) -> Result<&Rule, Mismatch> {
        let mut closest = if self.rules.is_empty() {
            Mismatch::NoRules
        } else {
            Mismatch::Origin
        };
        for rule in &self.rules {
            if !rule.origins.iter().any(|p| wildcard(p, origin)) {
                continue;
            }
            if !rule.methods.iter().any(|m| m == method) {
                closest = closest.max_with(Mismatch::Method);
                continue;
            }
            let allowed = |header: &&str| {
                rule.headers
                    .iter()
                    .any(|p| wildcard(&p.to_ascii_lowercase(), &header.to_ascii_lowercase()))
            };
            if !requested.iter().all(allowed) {
                closest = Mismatch::Header;
                continue;
            }
            return Ok(rule);
        }
        Err(closest)
    }
}

impl Mismatch {
    /// The mismatch that got further: a rule that failed on a header passed origin and method.
    fn max_with(self, other: Mismatch) -> Mismatch {
        if self == Mismatch::Header {
            self
        } else {
            other
        }
    }
}

/// The headers of `Access-Control-Request-Headers`: comma-separated, trimmed, none empty.
pub(crate) fn requested_headers(value: &str) -> Vec<&str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect()
}

/// Whether `text` matches `pattern`, whose one `*` stands for any run of characters.
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.len() >= head.len() + tail.len() && text.starts_with(head) && text.ends_with(tail)
        }
    }
}

#[cfg(test)]
mod tests;
