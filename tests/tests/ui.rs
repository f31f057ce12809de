//! Compile-time behaviour of `catalog!`: every kind of bad catalog is a compile error that
//! names the file, the line and the entry (`ui/fail/*.stderr`), and good ones compile
//! (`ui/pass`).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
