oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "thing_failed"
message = "Thing failed."
cause = "A thing failed."
solution = ["Fix the thing."]
fault = "callback_server"
retry = "never"
samples = ["Thing failed."]
"#);

fn main() {}
