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
message = "Thing {code} failed at {place} ({f})."
fields = { code = "u32", place = "string", f = "i32" }
cause = "A thing failed."
solutions = ["Fix the thing."]
fault = "uploader"
retry = "later"
samples = ["Thing 7 failed at home (-1)."]
"#, extend_builtin);

fn main() {
    let failure = MyErrors::parse("thing 7 failed at home (-1)").unwrap();
    assert_eq!(failure.id(), "thing_failed");
    // A placeholder called `f` is a field, not the formatter.
    assert_eq!(failure.to_string(), "Thing 7 failed at home (-1).");
    assert!(MyErrors::parse("Cost too long time.").is_some());
}
