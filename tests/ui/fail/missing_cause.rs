oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "thing_failed"
message = "Thing failed."
solutions = ["Fix the thing."]
fault = "callback_server"
retry = "never"
samples = ["Thing failed."]
"#);

fn main() {}
