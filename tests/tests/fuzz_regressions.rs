//! Inputs the fuzz targets found (`tests/fuzz-regressions/<target>/`), replayed through the same
//! checks as the targets in `fuzz/fuzz_targets`.

use oss_callback::callback::{BodyType, Variable, render_body};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/fuzz-regressions/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {dir}");
    inputs
}

/// Found by `template`: a value with a newline given for `size` was written into the JSON
/// bare, so a caller's text could inject JSON.
#[test]
fn template_values_never_break_out_of_their_place() {
    let value = |_: &Variable| Some("a\"b\\c/d\n\u{1}é&=%+".to_owned());
    for (name, data) in inputs("template") {
        let template = std::str::from_utf8(&data).unwrap();
        let json = render_body(template, BodyType::Json, value).unwrap();
        assert!(
            !json.contains('\n') || template.contains('\n'),
            "{name}: {json}"
        );
    }
}

#[test]
fn numeric_variables_are_bare_only_when_they_are_numbers() {
    let render = |size: &str| {
        render_body(r#"{"size":${size}}"#, BodyType::Json, |_| {
            Some(size.to_owned())
        })
        .unwrap()
    };
    assert_eq!(render("114020"), r#"{"size":114020}"#);
    assert_eq!(render("-1"), r#"{"size":-1}"#);
    assert_eq!(render("1,\"x\":2"), r#"{"size":"1,\"x\":2"}"#);
    assert_eq!(render("-"), r#"{"size":"-"}"#);
}
