//! The checks OSS makes on a PutBucketLifecycle before it stores it: tag characters, days in the
//! order the storage classes go (IA, Archive, ColdArchive, DeepColdArchive, then expiry), no
//! mix of days and dates, no transition to Standard.

use http::StatusCode;

use crate::ops::tagging::tag_text;
use crate::responses::ErrorReply;

/// The transition classes in the order an object goes through them.
const ORDER: &[&str] = &["IA", "Archive", "ColdArchive", "DeepColdArchive"];

/// One rule's parts that OSS orders.
#[derive(Debug, Default)]
struct Rule {
    expiration_days: Option<u64>,
    expiration_date: bool,
    /// (storage class, days) of each transition.
    transitions: Vec<(String, Option<u64>)>,
}

/// Checks the leaves of a `<LifecycleConfiguration>`.
pub(crate) fn check(leaves: &[(String, String)]) -> Result<(), ErrorReply> {
    let invalid = |message: &str| ErrorReply::invalid_argument(message.to_owned());
    let mut rules: Vec<Rule> = Vec::new();
    for (path, text) in leaves {
        let Some(inside) = path.strip_prefix("LifecycleConfiguration/Rule/") else {
            continue;
        };
        if inside == "ID" || rules.is_empty() {
            rules.push(Rule::default());
        }
        let Some(rule) = rules.last_mut() else {
            continue;
        };
        let days = text.trim().parse::<u64>().ok();
        match inside {
            // Characters only: OSS stores a rule with a key or value past an object tag's
            // length (the rule then matches no object), as the oss2 suite shows.
            "Tag/Key" | "Filter/Not/Tag/Key" if text.is_empty() || !tag_text(text) => {
                return Err(invalid("The tag key in the lifecycle rule is invalid."));
            }
            "Tag/Value" | "Filter/Not/Tag/Value" if !tag_text(text) => {
                return Err(invalid("The tag value in the lifecycle rule is invalid."));
            }
            "Expiration/Days" => rule.expiration_days = days,
            "Expiration/CreatedBeforeDate" => rule.expiration_date = true,
            "Transition/StorageClass" => match rule.transitions.last_mut() {
                Some(last) if last.0.is_empty() => text.clone_into(&mut last.0),
                _ => rule.transitions.push((text.clone(), None)),
            },
            "Transition/Days" => match rule.transitions.last_mut() {
                Some(last) if last.1.is_none() && !last.0.is_empty() => last.1 = days,
                _ => rule.transitions.push((String::new(), days)),
            },
            _ => {}
        }
    }
    rules.iter().try_for_each(check_rule)
}

fn check_rule(rule: &Rule) -> Result<(), ErrorReply> {
    let invalid = |message: &str| ErrorReply::invalid_argument(message.to_owned());
    if rule.expiration_date && rule.transitions.iter().any(|(_, days)| days.is_some()) {
        return Err(ErrorReply::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Days and CreatedBeforeDate can not be mixed in one rule.",
        ));
    }
    let mut ranked: Vec<(usize, u64)> = Vec::new();
    for (class, days) in &rule.transitions {
        let Some(rank) = ORDER.iter().position(|c| c == class) else {
            return Err(invalid("The storage class of a transition is invalid."));
        };
        if let (Some(days), Some(expiry)) = (days, rule.expiration_days) {
            if *days >= expiry {
                return Err(invalid(
                    "The days of a transition must be less than the days of expiration.",
                ));
            }
        }
        ranked.extend(days.map(|d| (rank, d)));
    }
    let misordered = ranked
        .iter()
        .any(|(rank, days)| ranked.iter().any(|(r, d)| r > rank && d <= days));
    if misordered {
        return Err(invalid(
            "The days of transitions must grow with the storage class.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    fn leaves(rule: &[(&str, &str)]) -> Vec<(String, String)> {
        rule.iter()
            .map(|(p, t)| (format!("LifecycleConfiguration/Rule/{p}"), (*t).to_owned()))
            .collect()
    }

    #[test]
    fn transitions_after_expiry_or_out_of_order_are_refused() {
        let late = [
            ("ID", "r"),
            ("Expiration/Days", "3"),
            ("Transition/Days", "4"),
            ("Transition/StorageClass", "IA"),
        ];
        assert_eq!(
            check(&leaves(&late)).err().map(|e| e.code),
            Some("InvalidArgument")
        );
        let order = [
            ("ID", "r"),
            ("Transition/Days", "5"),
            ("Transition/StorageClass", "IA"),
            ("Transition/Days", "2"),
            ("Transition/StorageClass", "Archive"),
        ];
        assert_eq!(
            check(&leaves(&order)).err().map(|e| e.code),
            Some("InvalidArgument")
        );
        let fine = [
            ("ID", "r"),
            ("Expiration/Days", "30"),
            ("Transition/Days", "4"),
            ("Transition/StorageClass", "IA"),
        ];
        assert!(check(&leaves(&fine)).is_ok());
    }

    #[test]
    fn days_and_dates_mixed_are_invalid_request() {
        let mixed = [
            ("ID", "r"),
            ("Expiration/CreatedBeforeDate", "2016-12-25T00:00:00.000Z"),
            ("Transition/Days", "356"),
            ("Transition/StorageClass", "IA"),
        ];
        assert_eq!(
            check(&leaves(&mixed)).err().map(|e| e.code),
            Some("InvalidRequest")
        );
    }
}
