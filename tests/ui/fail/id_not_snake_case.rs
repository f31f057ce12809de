oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "ThingFailed"
message = "Thing failed."
cause = "A thing failed."
solutions = ["Fix the thing."]
fault = "callback_server"
retry = "never"
samples = ["Thing failed."]
"#);

fn main() {}
