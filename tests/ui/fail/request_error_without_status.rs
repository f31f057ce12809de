oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[request_error]]
id = "thing_refused"
message = "The thing is refused."
code = "InvalidArgument"
argument = "callback"
cause = "The thing is wrong."
solutions = ["Fix the thing."]
fault = "uploader"
retry = "never"
samples = ["The thing is refused."]
"#);

fn main() {}
