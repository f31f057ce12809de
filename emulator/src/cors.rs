//! CORS as OSS answers it, around the operations: a preflight `OPTIONS` is matched against the
//! bucket's rules (200 with the `Access-Control-*` headers, or 403 `AccessForbidden`
//! "CORSResponse: ..."), and every other answer, errors included, gets the headers of the first
//! rule allowing its `Origin` and method. Without rules a bucket allows no cross-origin request,
//! as on OSS, unless `--cors-allow-all`. Each request with an `Origin`, and each preflight, is an
//! event: a refused preflight never reaches the operation, so it is the one a developer most
//! needs to see.
//!
//! The matching itself, without HTTP, is [`rules`].

mod rules;

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, HeaderName, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, StatusCode};

pub(crate) use self::rules::CorsRules;
use self::rules::{Invalid, Rule, requested_headers};
use crate::events::{Event, now_ms};
use crate::responses::{ErrorReply, reply, set};
use crate::state::{AppState, Ctx};

/// OSS's answer to a preflight no rule allows (its typos included: clients compare it).
const REFUSED: &str = "CORSResponse: This CORS request is not allowed. This is usually because the \
    evalution of Origin, request method / Access-Control-Request-Method or \
    Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec.";

/// 403 `AccessForbidden`, as OSS refuses a preflight.
fn refusal() -> ErrorReply {
    ErrorReply::new(StatusCode::FORBIDDEN, "AccessForbidden", REFUSED)
}

/// The rules a bucket's requests are matched against, and where they come from.
struct Applied {
    rules: CorsRules,
    /// Given by `--cors-allow-all`, not by the bucket.
    allow_all: bool,
}

/// The bucket's rules; without any, those of `--cors-allow-all` when it is set.
fn applied(state: &AppState, bucket: &str) -> Applied {
    let own = state.store.bucket(bucket).and_then(|bucket| {
        let (_, xml) = bucket.configs.iter().find(|(name, _)| name == "cors")?;
        // PutBucketCors checked it: what is stored parses.
        CorsRules::parse(xml.as_bytes()).ok()
    });
    match own {
        Some(rules) => Applied {
            rules,
            allow_all: false,
        },
        None if state.config.cors_allow_all => Applied {
            rules: CorsRules::allow_all(),
            allow_all: true,
        },
        None => Applied {
            rules: CorsRules::default(),
            allow_all: false,
        },
    }
}

/// What the request asked, for the event.
struct Asked<'a> {
    origin: &'a str,
    method: &'a str,
    preflight: bool,
}

/// `OPTIONS`: the preflight, answered from the bucket's rules, before any authentication (a
/// browser sends no credentials with it).
pub(crate) fn preflight(state: &Arc<AppState>, ctx: &Ctx, headers: &HeaderMap) -> Response {
    let text = |name: HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = text(ORIGIN).unwrap_or_default();
    let method = text(ACCESS_CONTROL_REQUEST_METHOD).unwrap_or_default();
    let requested = text(ACCESS_CONTROL_REQUEST_HEADERS).unwrap_or_default();
    let applied = applied(state, &ctx.bucket);
    let asked = Asked {
        origin,
        method,
        preflight: true,
    };
    let found = if origin.is_empty() || method.is_empty() {
        Err("not a preflight: it needs Origin and Access-Control-Request-Method".to_owned())
    } else {
        let found = applied
            .rules
            .find(origin, method, &requested_headers(requested));
        found.map_err(|mismatch| mismatch.describe().to_owned())
    };
    let mut response = match &found {
        Ok(rule) => {
            let mut response = reply(StatusCode::OK, &ctx.request_id, Body::empty());
            allow(response.headers_mut(), origin, rule);
            if !requested.is_empty() {
                set(
                    response.headers_mut(),
                    ACCESS_CONTROL_ALLOW_HEADERS,
                    requested,
                );
            }
            response
        }
        Err(_) => ctx.error(&refusal()),
    };
    vary(response.headers_mut(), &applied.rules);
    let detail = explain(&applied, found.as_ref().copied().map_err(String::as_str));
    record(state, ctx, &asked, &response, found.is_ok(), detail);
    response
}

/// Any other answer: the headers of the first rule allowing its origin and method (none when
/// no rule does: the browser then keeps the answer from the page), and `Vary: Origin` when
/// the bucket asks for it.
pub(crate) fn decorate(
    state: &Arc<AppState>,
    ctx: &Ctx,
    (origin, host): (Option<&str>, &str),
    method: &str,
    response: &mut Response,
) {
    if ctx.bucket.is_empty() {
        return;
    }
    let applied = applied(state, &ctx.bucket);
    vary(response.headers_mut(), &applied.rules);
    let Some(origin) = origin else {
        return;
    };
    let found = applied.rules.find(origin, method, &[]);
    if let Ok(rule) = found {
        allow(response.headers_mut(), origin, rule);
    }
    let asked = Asked {
        origin,
        method,
        preflight: false,
    };
    // The emulator's own page: the browser checks nothing.
    let same_origin = origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host));
    if same_origin {
        let detail = "same origin as the emulator: CORS does not apply".to_owned();
        record(state, ctx, &asked, response, true, detail);
        return;
    }
    let detail = explain(&applied, found.map_err(|m| m.describe()));
    record(state, ctx, &asked, response, found.is_ok(), detail);
}

/// The headers of an allowed request.
fn allow(headers: &mut HeaderMap, origin: &str, rule: &Rule) {
    set(headers, ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    set(
        headers,
        ACCESS_CONTROL_ALLOW_METHODS,
        &rule.methods.join(", "),
    );
    if !rule.expose.is_empty() {
        set(
            headers,
            ACCESS_CONTROL_EXPOSE_HEADERS,
            &rule.expose.join(", "),
        );
    }
    if let Some(seconds) = rule.max_age {
        set(headers, ACCESS_CONTROL_MAX_AGE, &seconds.to_string());
    }
}

/// `Vary: Origin` when the bucket's `ResponseVary` is true, on every answer.
fn vary(headers: &mut HeaderMap, rules: &CorsRules) {
    if rules.response_vary {
        headers.append(VARY, HeaderValue::from_static("Origin"));
    }
}

/// The outcome in words, for the event.
fn explain(applied: &Applied, found: Result<&Rule, &str>) -> String {
    match found {
        Ok(_) if applied.allow_all => {
            "allowed by --cors-allow-all (the bucket has no CORS rules)".to_owned()
        }
        Ok(rule) => {
            let number = applied
                .rules
                .rules
                .iter()
                .position(|r| std::ptr::eq(r, rule))
                .map_or(0, |n| n + 1);
            format!("allowed by CORS rule {number} of the bucket")
        }
        Err(why) => format!("refused: {why}"),
    }
}

/// Records the request's origin and CORS outcome.
fn record(
    state: &AppState,
    ctx: &Ctx,
    asked: &Asked<'_>,
    response: &Response,
    allowed: bool,
    detail: String,
) {
    let request_id = response
        .headers()
        .get(crate::responses::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(&ctx.request_id)
        .to_owned();
    tracing::info!(
        origin = %asked.origin.escape_debug(),
        method = %asked.method.escape_debug(),
        preflight = asked.preflight,
        allowed,
        "CORS: {detail}"
    );
    state.events.push(Event::Cors {
        time_ms: now_ms(),
        request_id,
        preflight: asked.preflight,
        origin: asked.origin.to_owned(),
        method: asked.method.to_owned(),
        bucket: ctx.bucket.clone(),
        key: ctx.key.clone(),
        allowed,
        detail,
        status: response.status().as_u16(),
    });
}

/// Checks a PutBucketCors body as OSS does: `MalformedXML`, or `InvalidArgument` naming the
/// element and its value (oss2's suite, written against OSS, expects `MaxAgeSeconds` and `-1`).
pub(crate) fn check(xml: &[u8]) -> Result<(), ErrorReply> {
    match CorsRules::parse(xml) {
        Ok(_) => Ok(()),
        Err(Invalid::Malformed(_)) => Err(crate::ops::malformed()),
        Err(Invalid::Argument { name, value, why }) => Err(ErrorReply::invalid_argument(why)
            .argument(Some(name))
            .argument_value(value)),
    }
}
