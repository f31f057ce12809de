// A new entry whose message also matches a built-in one is refused: the samples of both
// entries would be classified twice.
oss_callback::catalog!(source = r#"
[catalog]
name = "Mine"

[[error]]
id = "not_found"
message = "Error status : {code}."
fields = { code = "u16" }
cause = "The route does not exist."
solutions = ["Fix the path."]
fault = "callback_server"
retry = "never"
samples = ["Error status : 404."]
"#, extend_builtin);

fn main() {}
