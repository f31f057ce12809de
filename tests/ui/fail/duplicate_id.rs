oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "thing_failed"
message = "Thing failed."
cause = "A thing failed."
solutions = ["Fix the thing."]
fault = "callback_server"
retry = "never"
samples = ["Thing failed."]

[[error]]
id = "thing_failed"
message = "Other thing failed."
cause = "Another thing failed."
solutions = ["Fix the other thing."]
fault = "callback_server"
retry = "never"
samples = ["Other thing failed."]
"#);

fn main() {}
