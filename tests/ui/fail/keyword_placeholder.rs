oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "thing_failed"
message = "Thing {type} failed."
fields = { type = "u32" }
cause = "A thing failed."
solutions = ["Fix the thing."]
fault = "callback_server"
retry = "never"
samples = ["Thing 7 failed."]
"#);

fn main() {}
