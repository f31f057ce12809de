//! "Did you mean ...?" for misspelled names in catalogs and attributes.

/// The candidate closest to `target` by edit distance, when close enough to be a typo.
/// Case is ignored: OSS's names differ from typos mostly in case (`imageinfo.height`).
pub fn closest<'a>(target: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let target = target.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                edit_distance(&target, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance between two short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let delete = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = current.last().copied().unwrap_or(0) + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_close_names_only() {
        let names = ["content_length_missing", "timeout", "imageInfo.height"];
        assert_eq!(
            closest("content_lenght_missing", names),
            Some("content_length_missing")
        );
        assert_eq!(closest("imageinfo.height", names), Some("imageInfo.height"));
        assert_eq!(closest("timeuot", names), Some("timeout"));
        assert_eq!(closest("something_else", names), None);
    }
}
