// A toml syntax error is reported with its line.
oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "thing_failed"
message = "Thing failed.
cause = "A thing failed."
"#);

fn main() {}
