oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "thing_failed"
message = "Thing failed."
cause = "A thing failed."
fault = "callback_server"
retry = "never"
samples = ["Thing failed."]

[[error]]
id = "other_failed"
message = "Other failed."
cause = "Another thing failed."
solutions = []
fault = "callback_server"
retry = "never"
samples = ["Other failed."]
"#);

fn main() {}
