//! Where a request points: the bucket and key from `Host` and path, and the scope they make.

/// What a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// No bucket: the service (ListBuckets).
    Service,
    /// A bucket, no key.
    Bucket,
    /// An object.
    Object,
}

impl Scope {
    /// The scope of `bucket` and `key`.
    pub(crate) fn of(bucket: &str, key: &str) -> Scope {
        match (bucket.is_empty(), key.is_empty()) {
            (true, _) => Scope::Service,
            (false, true) => Scope::Bucket,
            (false, false) => Scope::Object,
        }
    }
}

/// The bucket and key a request addresses: virtual-hosted when `host` is `<bucket>.<domain>`,
/// path-style otherwise.
pub(crate) fn address(host: &str, path: &str, domain: Option<&str>) -> (String, String) {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    let host_name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    let hosted = domain.and_then(|domain| {
        host_name
            .strip_suffix(domain)
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|bucket| !bucket.is_empty() && !bucket.contains('.'))
    });
    match hosted {
        Some(bucket) => (bucket.to_owned(), decode(path)),
        None => match path.split_once('/') {
            Some((bucket, key)) => (decode(bucket), decode(key)),
            None => (decode(path), String::new()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Scope, address};

    #[test]
    fn path_style_names_bucket_then_key() {
        assert_eq!(
            address("127.0.0.1:9000", "/photos/2024/a%20b.jpg", None),
            ("photos".to_owned(), "2024/a b.jpg".to_owned())
        );
    }

    #[test]
    fn a_bucket_alone_has_an_empty_key() {
        assert_eq!(
            address("h", "/photos", None),
            ("photos".to_owned(), String::new())
        );
        assert_eq!(Scope::of("photos", ""), Scope::Bucket);
        assert_eq!(Scope::of("", ""), Scope::Service);
    }

    #[test]
    fn virtual_hosted_style_takes_the_bucket_from_host() {
        assert_eq!(
            address("photos.oss.local:9000", "/a.jpg", Some("oss.local")),
            ("photos".to_owned(), "a.jpg".to_owned())
        );
    }

    #[test]
    fn the_domain_itself_is_path_style() {
        assert_eq!(
            address("oss.local", "/photos/a.jpg", Some("oss.local")),
            ("photos".to_owned(), "a.jpg".to_owned())
        );
    }
}
