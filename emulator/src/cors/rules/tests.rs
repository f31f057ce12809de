//! The matcher against the rules OSS documents (PutBucketCors, Options, "Configure CORS").

use super::*;

fn rules(xml: &str) -> CorsRules {
    CorsRules::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e:?}: {xml}"))
}

fn one_rule(origin: &str, methods: &[&str], headers: &[&str]) -> CorsRules {
    let mut xml = String::from("<CORSConfiguration><CORSRule>");
    xml.push_str(&format!("<AllowedOrigin>{origin}</AllowedOrigin>"));
    for m in methods {
        xml.push_str(&format!("<AllowedMethod>{m}</AllowedMethod>"));
    }
    for h in headers {
        xml.push_str(&format!("<AllowedHeader>{h}</AllowedHeader>"));
    }
    xml.push_str("</CORSRule></CORSConfiguration>");
    rules(&xml)
}

#[test]
fn a_star_in_the_middle_of_an_origin_stands_for_any_run_of_characters() {
    let config = one_rule("http://*.example.com", &["GET"], &[]);
    assert!(config.find("http://www.example.com", "GET", &[]).is_ok());
    assert!(config.find("http://a.b.example.com", "GET", &[]).is_ok());
    // The dot before the domain is part of the pattern; the scheme too.
    assert_eq!(
        config.find("http://example.com", "GET", &[]),
        Err(Mismatch::Origin)
    );
    assert_eq!(
        config.find("https://www.example.com", "GET", &[]),
        Err(Mismatch::Origin)
    );
    assert_eq!(
        config.find("http://www.example.com.evil.net", "GET", &[]),
        Err(Mismatch::Origin)
    );
    let ports = one_rule("http://localhost:*", &["PUT"], &[]);
    assert!(ports.find("http://localhost:5173", "PUT", &[]).is_ok());
    assert!(ports.find("http://127.0.0.1:5173", "PUT", &[]).is_err());
}

#[test]
fn a_star_alone_allows_any_origin_and_no_star_means_exactly_that_origin() {
    let any = one_rule("*", &["GET"], &[]);
    assert!(any.find("https://anything.test:8443", "GET", &[]).is_ok());
    let exact = one_rule("http://www.example.com", &["GET"], &[]);
    assert!(exact.find("http://www.example.com", "GET", &[]).is_ok());
    assert!(
        exact
            .find("http://www.example.com:8080", "GET", &[])
            .is_err()
    );
}

#[test]
fn the_head_and_tail_of_a_pattern_may_not_overlap() {
    assert!(!wildcard("ab*ba", "aba"));
    assert!(wildcard("ab*ba", "abba"));
    assert!(wildcard("*", ""));
}

#[test]
fn the_method_must_be_one_the_rule_allows() {
    let config = one_rule("*", &["GET", "HEAD"], &[]);
    assert!(config.find("http://a.test", "HEAD", &[]).is_ok());
    assert_eq!(
        config.find("http://a.test", "PUT", &[]),
        Err(Mismatch::Method)
    );
}

#[test]
fn a_header_not_allowed_refuses_the_request() {
    let config = one_rule("*", &["PUT"], &["x-oss-meta-*", "content-type"]);
    assert!(
        config
            .find(
                "http://a.test",
                "PUT",
                &["content-type", "x-oss-meta-author"]
            )
            .is_ok()
    );
    assert_eq!(
        config.find("http://a.test", "PUT", &["content-type", "x-oss-callback"]),
        Err(Mismatch::Header)
    );
    // No AllowedHeader: only a preflight asking for no header passes.
    let bare = one_rule("*", &["PUT"], &[]);
    assert!(bare.find("http://a.test", "PUT", &[]).is_ok());
    assert_eq!(
        bare.find("http://a.test", "PUT", &["authorization"]),
        Err(Mismatch::Header)
    );
}

#[test]
fn headers_match_case_insensitively() {
    let config = one_rule("*", &["PUT"], &["X-OSS-*", "Authorization"]);
    assert!(
        config
            .find("http://a.test", "PUT", &["x-oss-date", "AUTHORIZATION"])
            .is_ok()
    );
}

#[test]
fn the_first_matching_rule_wins_and_later_rules_are_tried() {
    let config = rules(
        "<CORSConfiguration>\
         <CORSRule><AllowedOrigin>http://a.test</AllowedOrigin><AllowedMethod>GET</AllowedMethod>\
         <MaxAgeSeconds>10</MaxAgeSeconds></CORSRule>\
         <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>\
         <AllowedMethod>PUT</AllowedMethod><ExposeHeader>ETag</ExposeHeader>\
         <MaxAgeSeconds>20</MaxAgeSeconds></CORSRule>\
         <ResponseVary>true</ResponseVary></CORSConfiguration>",
    );
    assert!(config.response_vary);
    let first = config.find("http://a.test", "GET", &[]);
    assert_eq!(first.map(|r| r.max_age), Ok(Some(10)));
    let second = config.find("http://a.test", "PUT", &[]);
    assert_eq!(second.map(|r| r.max_age), Ok(Some(20)));
    assert_eq!(
        second.map(|r| r.expose.clone()),
        Ok(vec!["ETag".to_owned()])
    );
}

#[test]
fn requested_headers_are_split_on_commas_and_trimmed() {
    assert_eq!(
        requested_headers("content-type, x-oss-date ,,authorization"),
        ["content-type", "x-oss-date", "authorization"]
    );
    assert!(requested_headers("").is_empty());
}

#[test]
fn configurations_oss_refuses_are_refused() {
    let refused = [
        // ExposeHeader takes no wildcard (OSS's EC 0034-00000013).
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>x-oss-*</ExposeHeader></CORSRule></CORSConfiguration>",
        // At most one * in an origin or an allowed header.
        "<CORSConfiguration><CORSRule><AllowedOrigin>http://*.*.test</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-*-*</AllowedHeader></CORSRule></CORSConfiguration>",
        // Methods are GET, PUT, DELETE, POST, HEAD.
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>",
        // A rule needs an origin and a method; a configuration needs a rule.
        "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
        "<CORSConfiguration></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds></CORSRule></CORSConfiguration>",
        "<Other><CORSRule/></Other>",
        "<CORSConfiguration><CORSRule>",
    ];
    for xml in refused {
        assert!(CorsRules::parse(xml.as_bytes()).is_err(), "{xml}");
    }
    let eleven = format!(
        "<CORSConfiguration>{}</CORSConfiguration>",
        "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"
            .repeat(11)
    );
    assert!(CorsRules::parse(eleven.as_bytes()).is_err());
}

#[test]
fn a_refused_value_is_named_with_its_element() {
    // oss2's test_invalid_argument, written against OSS: InvalidArgument, MaxAgeSeconds, -1.
    let xml = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>\
        <AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule>\
        </CORSConfiguration>";
    let refused = CorsRules::parse(xml.as_bytes());
    assert!(
        matches!(&refused, Err(Invalid::Argument { name: "MaxAgeSeconds", value, .. }) if value == "-1"),
        "{refused:?}"
    );
    let broken = CorsRules::parse(b"<CORSConfiguration><CORSRule>");
    assert!(matches!(broken, Err(Invalid::Malformed(_))), "{broken:?}");
}

#[test]
fn allow_all_allows_any_origin_method_and_header_and_exposes_etag() {
    let config = CorsRules::allow_all();
    let rule = config.find(
        "http://localhost:3000",
        "PUT",
        &["x-oss-callback", "content-md5"],
    );
    assert!(rule.is_ok_and(|r| r.expose.iter().any(|h| h == "ETag")));
}

#[test]
fn entities_in_values_are_read() {
    let config = rules(
        "<CORSConfiguration><CORSRule><AllowedOrigin>http://a.test?x=1&amp;y=2</AllowedOrigin>\
         <AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
    );
    assert!(config.find("http://a.test?x=1&y=2", "GET", &[]).is_ok());
}
