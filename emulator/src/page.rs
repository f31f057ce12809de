//! The emulator's web page at `/_emulator/`: the uploads and their callbacks, live, a form
//! for a browser direct upload, and a control for the fault queue. Plain HTML, CSS and
//! JavaScript, embedded in the binary.
//!
//! The script builds every element from the event list with `textContent`, never markup, and
//! the Content-Security-Policy allows only these files: what came from the network stays text.

use axum::response::{IntoResponse, Redirect, Response};
use http::HeaderName;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};

use crate::responses::set;

/// The page.
const INDEX_HTML: &str = include_str!("page/index.html");
/// Its style sheet.
const PAGE_CSS: &str = include_str!("page/page.css");
/// Its script: polls the events and performs the direct upload.
const PAGE_JS: &str = include_str!("page/page.js");
/// Its second script: the fault control (queue, pending list, clear).
const FAULTS_JS: &str = include_str!("page/faults.js");

/// No inline script or style, no other origin: injected markup could not run even if it
/// reached the document. `data:` images only for the page's empty icon (without one the
/// browser asks for /favicon.ico, which the page would then list as a failed request).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// `GET /_emulator/`.
pub(crate) async fn index() -> Response {
    asset(INDEX_HTML, "text/html; charset=utf-8")
}

/// `GET /_emulator/page.css`.
pub(crate) async fn style() -> Response {
    asset(PAGE_CSS, "text/css; charset=utf-8")
}

/// `GET /_emulator/page.js`.
pub(crate) async fn script() -> Response {
    asset(PAGE_JS, "text/javascript; charset=utf-8")
}

/// `GET /_emulator/faults.js`.
pub(crate) async fn faults_script() -> Response {
    asset(FAULTS_JS, "text/javascript; charset=utf-8")
}

/// `GET /_emulator`: the page is one slash further (its assets are relative to it).
pub(crate) async fn to_index() -> Redirect {
    Redirect::permanent(crate::PAGE_PATH)
}

fn asset(body: &'static str, content_type: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    set(headers, CONTENT_TYPE, content_type);
    set(headers, CACHE_CONTROL, "no-cache");
    set(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, CONTENT_SECURITY_POLICY, CSP);
    set(
        headers,
        HeaderName::from_static("referrer-policy"),
        "no-referrer",
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_its_own_script_and_style() {
        assert!(INDEX_HTML.contains(r#"<script src="page.js" defer></script>"#));
        assert!(INDEX_HTML.contains(r#"<script src="faults.js" defer></script>"#));
        assert!(INDEX_HTML.contains(r#"<link rel="stylesheet" href="page.css">"#));
        assert!(
            !INDEX_HTML.contains("<script>"),
            "no inline script: the CSP forbids it"
        );
        assert!(
            !INDEX_HTML.contains("style="),
            "no inline style: the CSP forbids it"
        );
    }

    #[test]
    fn the_scripts_never_write_markup() {
        for (name, script) in [("page.js", PAGE_JS), ("faults.js", FAULTS_JS)] {
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
            ] {
                assert!(!script.contains(sink), "{name} uses {sink}");
            }
        }
    }
}
