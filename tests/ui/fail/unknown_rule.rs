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
rule = "content_lenght_missing"
samples = ["Thing failed."]
"#);

fn main() {}
