//! The PostObject policy (base64 JSON: `expiration`, `conditions`), checked as OSS checks it
//! before it stores anything: expired or unmet, the upload is refused.

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::StatusCode;
use serde_json::Value;

use crate::PostForm;
use crate::responses::ErrorReply;

/// Checks the form's policy, if it has one, for an upload of `size` bytes to `bucket`.
pub(crate) fn check(
    form: &PostForm,
    bucket: &str,
    size: u64,
    now: SystemTime,
) -> Result<(), ErrorReply> {
    let Some(policy) = form.field("policy") else {
        return Ok(());
    };
    let invalid = |why: &str| {
        ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            format!("Invalid Policy: {why}"),
        )
    };
    let json = BASE64
        .decode(policy.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .ok_or_else(|| invalid("the policy is not base64-encoded JSON."))?;
    let expiration = json
        .get("expiration")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("expiration is missing."))?;
    let expires = humantime::parse_rfc3339_weak(expiration)
        .map_err(|_| invalid("expiration is not an ISO 8601 time."))?;
    if expires < now {
        return Err(denied("Policy expired."));
    }
    let conditions = match json.get("conditions") {
        None => &Vec::new(),
        Some(Value::Array(conditions)) => conditions,
        Some(_) => return Err(invalid("conditions is not a list.")),
    };
    for condition in conditions {
        holds(condition, form, bucket, size).map_err(|failure| match failure {
            Failure::Unmet => denied(&format!("Policy Condition failed: {condition}")),
            Failure::Invalid => invalid(&format!("the condition {condition} is not understood.")),
            Failure::TooLarge => ErrorReply::new(
                StatusCode::BAD_REQUEST,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size.",
            ),
            Failure::TooSmall => ErrorReply::new(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size.",
            ),
        })?;
    }
    Ok(())
}

/// Why a condition does not hold.
enum Failure {
    Unmet,
    Invalid,
    TooLarge,
    TooSmall,
}

fn denied(why: &str) -> ErrorReply {
    ErrorReply::new(
        StatusCode::FORBIDDEN,
        "AccessDenied",
        format!("Invalid according to Policy: {why}"),
    )
}

/// `{"name": "value"}`, `["eq"|"starts-with", "$name", "value"]`, `["in"|"not-in", "$name",
/// [...]]` or `["content-length-range", min, max]`.
fn holds(condition: &Value, form: &PostForm, bucket: &str, size: u64) -> Result<(), Failure> {
    let value_of = |name: &str| -> String {
        let name = name.strip_prefix('$').unwrap_or(name).to_ascii_lowercase();
        if name == "bucket" {
            return bucket.to_owned();
        }
        form.field(&name).unwrap_or_default().to_owned()
    };
    let unmet_unless = |ok: bool| if ok { Ok(()) } else { Err(Failure::Unmet) };
    match condition {
        Value::Object(pairs) => {
            for (name, expected) in pairs {
                unmet_unless(Some(value_of(name).as_str()) == expected.as_str())?;
            }
            Ok(())
        }
        Value::Array(items) => match items.as_slice() {
            [Value::String(op), Value::Number(min), Value::Number(max)]
                if op == "content-length-range" =>
            {
                let (min, max) = (
                    min.as_u64().ok_or(Failure::Invalid)?,
                    max.as_u64().ok_or(Failure::Invalid)?,
                );
                if size > max {
                    Err(Failure::TooLarge)
                } else if size < min {
                    Err(Failure::TooSmall)
                } else {
                    Ok(())
                }
            }
            [
                Value::String(op),
                Value::String(name),
                Value::String(expected),
            ] => match op.as_str() {
                "eq" => unmet_unless(value_of(name) == *expected),
                "starts-with" => unmet_unless(value_of(name).starts_with(expected.as_str())),
                _ => Err(Failure::Invalid),
            },
            [Value::String(op), Value::String(name), Value::Array(values)] => {
                let found = values
                    .iter()
                    .any(|v| v.as_str() == Some(value_of(name).as_str()));
                match op.as_str() {
                    "in" => unmet_unless(found),
                    "not-in" => unmet_unless(!found),
                    _ => Err(Failure::Invalid),
                }
            }
            _ => Err(Failure::Invalid),
        },
        _ => Err(Failure::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as BASE64;

    use super::check;
    use crate::PostForm;

    fn form(policy: &str, fields: &[(&str, &str)]) -> PostForm {
        let mut all = vec![("policy".to_owned(), BASE64.encode(policy))];
        all.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        PostForm {
            fields: all,
            ..PostForm::default()
        }
    }

    fn code(policy: &str, fields: &[(&str, &str)], size: u64) -> Option<&'static str> {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        check(&form(policy, fields), "photos", size, now)
            .err()
            .map(|e| e.code)
    }

    const LATER: &str = "2099-01-01T00:00:00.000Z";

    #[test]
    fn a_policy_within_its_conditions_passes() {
        let policy = format!(
            r#"{{"expiration":"{LATER}","conditions":[{{"bucket":"photos"}},["starts-with","$key","user/"],["eq","$success_action_status","201"],["content-length-range",1,10],["in","$content-type",["image/png","image/jpeg"]]]}}"#
        );
        let fields = [
            ("key", "user/a.png"),
            ("success_action_status", "201"),
            ("content-type", "image/png"),
        ];
        assert_eq!(code(&policy, &fields, 5), None);
    }

    #[test]
    fn an_expired_policy_is_access_denied() {
        assert_eq!(
            code(
                r#"{"expiration":"2020-01-01T00:00:00Z","conditions":[]}"#,
                &[],
                1
            ),
            Some("AccessDenied")
        );
    }

    #[test]
    fn an_unmet_condition_is_access_denied() {
        let policy =
            format!(r#"{{"expiration":"{LATER}","conditions":[["starts-with","$key","user/"]]}}"#);
        assert_eq!(
            code(&policy, &[("key", "admin/a")], 1),
            Some("AccessDenied")
        );
        let policy = format!(r#"{{"expiration":"{LATER}","conditions":[{{"bucket":"other"}}]}}"#);
        assert_eq!(code(&policy, &[], 1), Some("AccessDenied"));
    }

    #[test]
    fn the_content_length_range_bounds_the_file() {
        let policy =
            format!(r#"{{"expiration":"{LATER}","conditions":[["content-length-range",2,4]]}}"#);
        assert_eq!(code(&policy, &[], 5), Some("EntityTooLarge"));
        assert_eq!(code(&policy, &[], 1), Some("EntityTooSmall"));
    }

    #[test]
    fn a_broken_policy_is_invalid_policy_document() {
        for policy in [
            "not json",
            r#"{"conditions":[]}"#,
            r#"{"expiration":"soon"}"#,
        ] {
            assert_eq!(
                code(policy, &[], 1),
                Some("InvalidPolicyDocument"),
                "{policy}"
            );
        }
        let policy = format!(r#"{{"expiration":"{LATER}","conditions":[["nope","$key","x"]]}}"#);
        assert_eq!(code(&policy, &[], 1), Some("InvalidPolicyDocument"));
    }
}
