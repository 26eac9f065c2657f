/* tmpl.c - the Go template engine behind --format: one template, one JSON
 * input and the output (or the error) Go's text/template gives. */
#include <stdlib.h>
#include <string.h>

#include "lib/base/tmpl.h"
#include "lib/base/util.h"
#include "tap.h"

static const char data[] =
	"{\"Name\":\"web\",\"Id\":\"abc123\",\"Count\":3,\"Zero\":0,\"Ratio\":1.5,\"On\":true,\"Off\":false,"
	"\"Null\":null,\"Empty\":\"\",\"List\":[\"a\",\"b\",\"c\"],\"Nums\":[1,2,3],\"None\":[],"
	"\"Labels\":{\"zeta\":\"z\",\"alpha\":\"a\",\"app.kind\":\"db\"},"
	"\"State\":{\"Status\":\"running\",\"Pid\":42,\"Health\":{\"Status\":\"healthy\"}},"
	"\"Mounts\":[{\"Source\":\"/h\",\"Destination\":\"/c\"},{\"Source\":\"/x\",\"Destination\":\"/y\"}],"
	"\"Mixed\":\"Hello World\",\"Big\":1e21,\"Neg\":-255}";

static json_object *input;

/* a test name on one line */
static const char *oneline(const char *s)
{
	static char buf[200];
	size_t n = 0;

	for (; *s && n < sizeof buf - 3; s++) {
		if (*s == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void t_ok(const char *tmpl, const char *want)
{
	struct err e = ERR_INIT;
	char *out = NULL;

	if (tmpl_render(tmpl, input, &out, &e) < 0) {
		ok(0, "%s", oneline(tmpl));
		printf("# error: %s\n", e.msg);
	} else {
		is_str(out, want, "%s", oneline(tmpl));
	}
	free(out);
	err_clear(&e);
}

/* an error: its message has want in it, is one line and names line:col */
static void t_err(const char *tmpl, const char *want)
{
	struct err e = ERR_INIT;
	char *out = NULL;
	int rc = tmpl_render(tmpl, input, &out, &e);

	if (!ok(rc < 0 && e.msg && strstr(e.msg, want) && !strchr(e.msg, '\n') &&
			strncmp(e.msg, "template: ", 10) == 0,
		"error for %s", oneline(tmpl)))
		printf("# got: %s / %s\n# want: %s\n", out ? out : "(no output)",
		       e.msg ? e.msg : "(no error)", want);
	free(out);
	err_clear(&e);
}

static void fields(void)
{
	t_ok("plain text", "plain text");
	t_ok("", "");
	t_ok("{{.Name}}", "web");
	t_ok("a{{.Name}}b{{.Id}}c", "awebbabc123c");
	t_ok("{{ .Name }}", "web");
	t_ok("{{.State.Status}}", "running");
	t_ok("{{.State.Health.Status}}", "healthy");
	/* a record (capitalised keys, as podman's structs) has no such field: an
	 * error; a map (other keys) has no such key: <no value> */
	t_err("{{.Missing}}", "can't evaluate field Missing: no such field");
	t_err("{{.State.Nope}}", "can't evaluate field Nope");
	t_ok("{{.Labels.nope}}", "<no value>");
	t_ok("{{.Labels.nope.deeper}}", "<no value>");
	t_ok("{{.Null}}", "<no value>");
	t_ok("{{.Null.Deeper}}", "<no value>");
	t_ok("{{.Count}} {{.Ratio}} {{.On}} {{.Off}} {{.Zero}} {{.Neg}}", "3 1.5 true false 0 -255");
	t_ok("{{.Big}}", "1e+21");
	t_ok("{{.List}}", "[a b c]");
	t_ok("{{.None}}", "[]");
	t_ok("{{.Labels}}", "map[alpha:a app.kind:db zeta:z]");
	t_ok("{{.Mounts}}", "[map[Destination:/c Source:/h] map[Destination:/y Source:/x]]");
	t_ok("{{.State}}", "map[Health:map[Status:healthy] Pid:42 Status:running]");
	t_ok("{{.Name}}\\t{{.Id}}\\n", "web\tabc123\n");
	t_ok("{{\"a\\tb\"}}", "a\tb");
	t_ok("{{`raw\\t`}}", "raw\\t");
	t_ok("{{\"\\u00e9\\x41\\101\"}}", "\xc3\xa9"
					  "AA");
	t_ok("{{3}} {{-4}} {{0x1F}} {{1.25}} {{'a'}} {{1_000}}", "3 -4 31 1.25 97 1000");
	t_ok("{{true}} {{false}}", "true false");
	t_ok("{{(.State).Status}}", "running");
	t_ok("{{(index .Mounts 1).Source}}", "/x");
	t_err("{{.Name.First}}", "can't evaluate field First in type string");
	t_err("{{.List.X}}", "can't evaluate field X");
}

static void actions(void)
{
	t_ok("{{/* a comment */}}x", "x");
	t_ok("a  {{- /* c */ -}}  b", "ab");
	t_ok("a {{- .Name -}} b", "awebb");
	t_ok("a\n  {{- .Name}}\n", "aweb\n");
	t_ok("{{.Name -}}\n\n x", "webx");
	t_ok("{{-3}}", "-3");
	t_ok("{{if .On}}yes{{end}}", "yes");
	t_ok("{{if .Off}}yes{{else}}no{{end}}", "no");
	t_ok("{{if .Null}}yes{{else}}no{{end}}", "no");
	t_ok("{{if .Empty}}y{{else if .Zero}}z{{else if .Count}}c{{else}}n{{end}}", "c");
	t_ok("{{if .None}}y{{else}}n{{end}}{{if .List}}Y{{end}}", "nY");
	t_ok("{{if .Labels}}L{{end}}", "L");
	t_ok("{{range .List}}<{{.}}>{{end}}", "<a><b><c>");
	t_ok("{{range $i, $e := .List}}{{$i}}={{$e}} {{end}}", "0=a 1=b 2=c ");
	t_ok("{{range $e := .Nums}}{{$e}}{{end}}", "123");
	t_ok("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}", "alpha:a;app.kind:db;zeta:z;");
	t_ok("{{range .Labels}}{{.}}{{end}}", "adbz");
	t_ok("{{range .None}}x{{else}}empty{{end}}", "empty");
	t_ok("{{range .Null}}x{{else}}nothing{{end}}", "nothing");
	t_ok("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/h:/c /x:/y ");
	t_ok("{{range .Mounts}}{{$.Name}}{{end}}", "webweb");
	t_ok("{{with .State}}{{.Status}}/{{.Pid}}{{end}}", "running/42");
	t_ok("{{with .Null}}x{{else}}none{{end}}", "none");
	t_ok("{{$x := .Name}}{{$x}}", "web");
	t_ok("{{$x := 1}}{{if .On}}{{$x = 2}}{{end}}{{$x}}", "2");
	t_ok("{{$s := .State}}{{$s.Health.Status}}", "healthy");
	t_ok("{{$.State.Pid}}", "42");
	t_ok("{{range .List}}{{if eq . \"b\"}}B{{else}}{{.}}{{end}}{{end}}", "aBc");
	t_ok("{{range .Nums}}{{range $.List}}.{{end}}{{end}}", ".........");
	t_err("{{range .Name}}x{{end}}", "range can't iterate over string");
	t_err("{{range .Count}}x{{end}}", "range can't iterate over int");
}

static void functions(void)
{
	t_ok("{{json .Name}}", "\"web\"");
	t_ok("{{json .List}}", "[\"a\",\"b\",\"c\"]");
	t_ok("{{json .State.Health}}", "{\"Status\":\"healthy\"}");
	t_ok("{{json .Null}}", "null");
	t_ok("{{json .}}", data);
	t_ok("{{index .Labels \"app.kind\"}}", "db");
	t_ok("{{index .Labels \"nope\"}}", "<no value>");
	t_ok("{{index .List 1}}", "b");
	t_ok("{{index .Mounts 0 \"Source\"}}", "/h");
	t_err("{{index .List 5}}", "index out of range: 5");
	t_err("{{index .Count 0}}", "can't index item of type int");
	t_ok("{{join .List \", \"}}", "a, b, c");
	t_ok("{{join .Nums \"+\"}}", "1+2+3");
	t_ok("{{join .None \",\"}}", "");
	t_ok("{{lower .Mixed}} {{upper .Mixed}}", "hello world HELLO WORLD");
	t_ok("{{title \"hello big world\"}}", "Hello Big World");
	t_ok("{{len .List}} {{len .Name}} {{len .Labels}} {{len .None}}", "3 3 3 0");
	t_err("{{len .Count}}", "len of type int");
	t_ok("{{split \"a:b:c\" \":\"}}", "[a b c]");
	t_ok("{{index (split .Mixed \" \") 1}}", "World");
	t_ok("{{contains .Mixed \"lo W\"}} {{contains .Mixed \"x\"}}", "true false");
	t_ok("{{hasPrefix .Name \"we\"}} {{hasSuffix .Name \"eb\"}} {{hasPrefix .Name \"eb\"}}",
	     "true true false");
	t_ok("{{trimPrefix .Id \"abc\"}} {{trimSuffix .Id \"123\"}} {{trimPrefix .Id \"x\"}}",
	     "123 abc abc123");
	t_ok("{{replace \"aaa\" \"a\" \"b\" 2}} {{replace \"aaa\" \"a\" \"b\" -1}}", "bba bbb");
	t_ok("{{truncate .Id 3}} {{truncate .Id 30}}", "abc abc123");
	t_ok("[{{pad .Name 2 1}}]", "[  web ]");
	t_ok("{{eq .Name \"web\"}} {{eq .Count 3}} {{eq .Count 1 2 3}} {{ne .Name \"x\"}}",
	     "true true true true");
	t_ok("{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 3 2}} {{lt \"a\" \"b\"}} {{lt 1.5 2.5}}",
	     "true true false true true true");
	t_err("{{lt 1 1.5}}", "incompatible types for comparison"); /* an int and a float, as in Go */
	t_err("{{eq 1 1.0}}", "incompatible types for comparison");
	t_ok("{{eq .Null nil}}", "true");
	t_err("{{eq .Name 3}}", "incompatible types for comparison");
	t_err("{{lt .On .Off}}", "for comparison");
	t_ok("{{and .On .Count}} {{and .On .Zero}} {{or .Empty .Name}} {{or .Zero .Off}}", "3 0 web false");
	t_ok("{{not .On}} {{not .Empty}}", "false true");
	t_ok("{{if and .On (not .Off)}}ok{{end}}", "ok");
	t_ok("{{or .Name (index .List 9)}}", "web"); /* short-circuit: no index error */
	t_err("{{or .Null (index .List 9)}}", "index out of range");
	t_ok("{{and .Off (index .List 9)}}", "false"); /* short-circuit: no index error */
	t_ok("{{print \"a\" \"b\" 1 2 \"c\"}}", "ab1 2c");
	t_ok("{{println \"a\" 1}}", "a 1\n");
	t_ok("{{print .Null}}", "<nil>");
	t_ok("{{.Name | upper}}", "WEB");
	t_ok("{{.Name | printf \"%s!\" | upper}}", "WEB!");
	t_ok("{{\"-\" | join .List | len}}", "5"); /* the piped value is the last argument */
	t_err("{{.List | join \"-\"}}", "wrong type");
	t_ok("{{\"x\" | printf \"%s-%s\" .Name}}", "web-x");
	t_ok("{{upper (printf \"%d items\" (len .List))}}", "3 ITEMS");
	t_err("{{nosuch .Name}}", "function \"nosuch\" not defined");
	t_err("{{.Name | .Id}}", "can't give argument to non-function");
	t_err("{{upper .List}}", "expected string");
	t_err("{{upper .Count}}", "expected string; got int"); /* as Go: no conversion */
	t_err("{{if}}{{end}}", "missing value for if");
	t_err("{{1 | 2}}", "non executable command in pipeline stage 2");
	t_err("{{upper}}", "wrong number of args for upper");
	t_err("{{join .Name \",\"}}", "expected []string");
}

static void printf_verbs(void)
{
	t_ok("{{printf \"%s|%v|%d|%t|%q\" .Name .Count .Count .On .Name}}", "web|3|3|true|\"web\"");
	t_ok("{{printf \"[%5s][%-5s][%.2s][%5.1s]\" \"ab\" \"ab\" \"abc\" \"xyz\"}}",
	     "[   ab][ab   ][ab][    x]");
	t_ok("{{printf \"[%4d][%-4d][%04d][%+d][% d][%.3d]\" 7 7 7 7 7 7}}",
	     "[   7][7   ][0007][+7][ 7][007]");
	t_ok("{{printf \"%x %X %o %#x %x\" 255 255 8 255 .Neg}}", "ff FF 10 0xff -ff");
	t_ok("{{printf \"%x\" \"hi\"}}", "6869");
	t_ok("{{printf \"%c%c\" 72 105}}", "Hi");
	t_ok("{{printf \"%.2f %6.1f %e %g %g\" 3.14159 2.25 1000.0 0.5 .Count}}",
	     "3.14    2.2 1.000000e+03 0.5 %!g(int=3)");
	t_ok("{{printf \"%v %v %v\" .List .Labels .Null}}", "[a b c] map[alpha:a app.kind:db zeta:z] <nil>");
	t_ok("{{printf \"%q\" \"a\\\"b\\n\"}}", "\"a\\\"b\\n\"");
	t_ok("{{printf \"100%%\"}}", "100%");
	t_ok("{{printf \"%d\"}}", "%!d(MISSING)");
	t_ok("{{printf \"%d\" .Name}}", "%!d(string=web)");
	t_ok("{{printf \"%s\" .Name .Count}}", "web%!(EXTRA int=3)");
	t_ok("{{printf \"%z\" 1}}", "%!z(int=1)");
	t_ok("{{printf \"%-8s|\" \"h\\u00e9\"}}", "h\xc3\xa9      |");
	t_err("{{printf .Count}}", "expected string");
}

static void parse_errors(void)
{
	t_err("{{.Name", "unclosed action");
	t_err("{{.Name}", "unexpected \"}\"");
	t_err("{{if .On}}x", "without {{end}}");
	t_err("{{end}}", "unexpected {{end}}");
	t_err("{{else}}", "unexpected {{else}}");
	t_err("{{if .On}}a{{else}}b{{else}}c{{end}}", "more than one {{else}}");
	t_err("{{}}", "missing value for command");
	t_err("{{.Name |}}", "missing command");
	t_err("{{(.Name}}", "unclosed left paren");
	t_err("{{.Name)}}", "unexpected right paren");
	t_err("{{\"abc}}", "unterminated quoted string");
	t_err("{{`abc}}", "unterminated raw quoted string");
	t_err("{{\"\\q\"}}", "unknown escape sequence");
	t_err("{{/* open", "unclosed comment");
	t_err("{{/* c */ .Name}}", "comment ends before closing delimiter");
	t_err("{{$x}}", "undefined variable \"$x\"");
	t_err("{{$x = 1}}", "undefined variable \"$x\"");
	t_err("{{if .On}}{{$y := 1}}{{end}}{{$y}}", "undefined variable \"$y\"");
	t_err("{{template \"x\"}}", "{{template}} is not supported");
	t_err("{{define \"x\"}}{{end}}", "is not supported");
	t_err("{{.Name-}}", "trim marker needs a space");
	t_err("{{.Name .Id}}", "can't give argument to non-function");
	t_err("{{.Name#}}", "unexpected \"#\"");
	t_err("{{1.2.3}}", "bad number syntax");
	t_err("{{0x}}", "bad number syntax");
	t_err("line one\n{{nosuch}}", "template: 2:3:");
	t_err("{{range $a, $b, $c := .List}}{{end}}", "");
}

static void deep(void)
{
	/* nesting beyond the limit is an error, not a stack overflow */
	size_t n = 10000;
	char *s = xmalloc(n * 12 + 64), *p = s;
	struct err e = ERR_INIT;
	char *out = NULL;

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "{{if .On}}");
	strcpy(p, "x");
	ok(tmpl_render(s, input, &out, &e) < 0 && strstr(e.msg, "nested too deeply"), "deep if nesting: %s",
	   e.msg ? e.msg : "no error");
	err_clear(&e);
	p = s;
	p += sprintf(p, "{{");
	for (size_t i = 0; i < n; i++)
		*p++ = '(';
	strcpy(p, "1}}");
	ok(tmpl_render(s, input, &out, &e) < 0 && strstr(e.msg, "nested too deeply"), "deep parens: %s",
	   e.msg ? e.msg : "no error");
	err_clear(&e);
	/* just under the limit works */
	p = s;
	for (size_t i = 0; i < 60; i++)
		p += sprintf(p, "{{with $.State}}");
	p += sprintf(p, "{{.Pid}}");
	for (size_t i = 0; i < 60; i++)
		p += sprintf(p, "{{end}}");
	t_ok(s, "42");
	free(s);
}

/* every prefix of every template: an error or an output, never a crash */
static void prefixes(void)
{
	static const char *const all[] = {
		"{{range $i, $e := .List}}{{if eq $i 1}}{{printf \"%-3d|%s\" $i (upper $e)}}{{else}}-{{end}}{{end}}",
		"{{- /* c */ -}} {{with $x := index .Labels \"zeta\"}}{{$x | printf \"%q\"}}{{end}}",
		"table {{.Name}}\\t{{json .State}}\\t{{`a}}b`}}\\t{{'\\''}}",
	};
	int bad = 0;

	for (size_t k = 0; k < ARRAY_SIZE(all); k++) {
		size_t len = strlen(all[k]);
		for (size_t i = 0; i <= len; i++) {
			char *s = xasprintf("%.*s", (int)i, all[k]), *out = NULL;
			struct err e = ERR_INIT;
			if (tmpl_render(s, input, &out, &e) < 0 && (!e.msg || strchr(e.msg, '\n')))
				bad++;
			free(out);
			free(s);
			err_clear(&e);
		}
	}
	is_int(bad, 0, "every prefix of the templates renders or fails with a one-line error");
}

/* random templates from the pieces of the language: never a crash, never a
 * leak (the ASan build checks), and an error is always one line */
static void fuzz(void)
{
	static const char *const pieces[] = {
		"{{",
		"}}",
		"{{- ",
		" -}}",
		".",
		".Name",
		".State",
		".Status",
		".List",
		".Labels",
		"$",
		"$x",
		"$i",
		":=",
		"=",
		",",
		"|",
		"(",
		")",
		" ",
		"\"s\"",
		"`r`",
		"'c'",
		"1",
		"-2",
		"1.5",
		"0x1f",
		"true",
		"nil",
		"if",
		"else",
		"end",
		"range",
		"with",
		"json",
		"index",
		"printf",
		"\"%-5s|%d|%q|%v|%x\"",
		"len",
		"join",
		"split",
		"upper",
		"eq",
		"lt",
		"and",
		"or",
		"not",
		"print",
		"truncate",
		"pad",
		"/*",
		"*/",
		"text",
		"\\t",
		"\n",
		"\"",
		"{{end}}",
		"{{else}}",
		"{{range .List}}",
		"{{if .On}}",
		"{{.}}",
	};
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	int bad = 0, okc = 0;

	for (int n = 0; n < 20000; n++) {
		char s[512] = "", *out = NULL;
		struct err e = ERR_INIT;
		int k = (int)(seed % 12) + 1;
		for (int i = 0; i < k; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			strncat(s, pieces[(seed >> 33) % ARRAY_SIZE(pieces)], sizeof s - strlen(s) - 1);
		}
		if (tmpl_render(s, input, &out, &e) < 0) {
			if (!e.msg || strchr(e.msg, '\n') || strncmp(e.msg, "template: ", 10) != 0) {
				if (bad++ < 5)
					printf("# bad error for %s: %s\n", s, e.msg ? e.msg : "(none)");
			}
		} else {
			okc++;
		}
		free(out);
		err_clear(&e);
	}
	is_int(bad, 0, "20000 random templates: each renders or fails with one line (%d rendered)", okc);
}

static void table(void)
{
	struct err e = ERR_INIT;
	struct tmpl *t = NULL;
	static const char *const heads[] = { "Id", "CONTAINER ID", NULL };
	char *h, *tw;

	ok(tmpl_parse("table {{.Id}}\\t{{.CreatedAt}}\\t{{upper .Name}}\\t{{.State.Status}}", &t, &e) == 0,
	   "parse a table format");
	ok(tmpl_is_table(t), "  it is a table");
	h = tmpl_header(t, heads);
	is_str(h, "CONTAINER ID\tCREATED AT\tNAME\tSTATUS", "  header row");
	free(h);
	tmpl_free(t);
	ok(tmpl_parse("{{.Id}}", &t, &e) == 0 && !tmpl_is_table(t), "no table without the prefix");
	tmpl_free(t);
	ok(tmpl_parse("table", &t, &e) == 0 && tmpl_is_table(t), "\"table\" alone");
	tmpl_free(t);
	ok(tmpl_parse("  table {{.ID}}", &t, &e) == 0 && tmpl_is_table(t), "\"table\" after spaces");
	h = tmpl_header(t, NULL);
	is_str(h, "ID", "  an all-capitals name stays one word");
	free(h);
	tmpl_free(t);
	ok(tmpl_parse("table {{range .Mounts}}{{.Source}}{{end}}|{{.PodName}}|{{json .Names}}", &t, &e) == 0,
	   "parse a table with range");
	h = tmpl_header(t, NULL);
	is_str(h, "|POD NAME|\"NAMES\"", "  header row skips what it can't show");
	free(h);
	tmpl_free(t);
	ok(tmpl_parse("table {{.}}|{{.Names}}", &t, &e) == 0, "parse a table with {{.}}");
	h = tmpl_header(t, NULL);
	is_str(h, "|NAMES", "  {{.}} has no header");
	free(h);
	tmpl_free(t);

	tw = tmpl_tabwrite("NAMES\tSTATUS\tID\nweb\tUp 2 seconds ago\tabc\n");
	is_str(tw, "NAMES       STATUS            ID\nweb         Up 2 seconds ago  abc\n",
	       "tabwriter columns");
	free(tw);
	tw = tmpl_tabwrite("a\tb\nno tabs here\nlonger-than-twelve\tc\n");
	is_str(tw, "a           b\nno tabs here\nlonger-than-twelve  c\n",
	       "a line without tabs ends a block");
	free(tw);
	tw = tmpl_tabwrite("h\xc3\xa9\tx\n");
	is_str(tw, "h\xc3\xa9          x\n", "widths count characters");
	free(tw);
	tw = tmpl_tabwrite("");
	is_str(tw, "", "empty text");
	free(tw);
	tw = tmpl_tabwrite("a\t\tb\nlong-long-long\t\tc");
	is_str(tw,
	       "a               "
	       "            b\nlong-long-long              c",
	       "empty cells and a last line without newline");
	free(tw);
	err_clear(&e);
}

int main(void)
{
	input = json_tokener_parse(data);
	if (!input)
		return skip_all("test data does not parse");
	fields();
	actions();
	functions();
	printf_verbs();
	parse_errors();
	deep();
	prefixes();
	fuzz();
	table();
	json_object_put(input);
	return done_testing();
}
