// An inline catalog that extends the built-in one compiles, and the generated items work
// even with a hostile prelude in scope.
#![allow(dead_code)]

type Result<T> = core::result::Result<T, ()>;
type Option = ();
struct Vec;
struct String;

oss_callback::catalog!(source = r#"
[catalog]
name = "MyErrors"

[[error]]
id = "thing_failed"
message = "Thing {code} failed at {place}."
fields = { code = "u32", place = "string" }
cause = "A thing failed."
solutions = ["Fix the thing."]
fault = "uploader"
retry = "later"
samples = ["Thing 7 failed at home."]
"#, extend_builtin);

fn main() {
    let failure = MyErrors::parse("thing 7 failed at home").unwrap();
    assert_eq!(failure.id(), "thing_failed");
    assert_eq!(failure.to_string(), "Thing 7 failed at home.");
    assert!(MyErrors::parse("Cost too long time.").is_some());
}
