/* Choosing the language and binding the catalogues.
 *
 * gettext finds a catalogue at DIR/NAME/LC_MESSAGES/aiodemo.mo, NAME being
 * each entry of $LANGUAGE, else the LC_MESSAGES locale's name, and it
 * translates nothing in the "C" locale. A class's machine often has no
 * zh_CN.UTF-8 locale generated (Debian generates none by default): there
 * LANG=zh_CN.UTF-8 makes setlocale() fail, and we fall back on C.UTF-8,
 * which every Debian has, for the characters (so CJK text keeps its
 * columns) and the messages. aiodemo's own catalogue directory holds the
 * Chinese catalogue under zh_CN and under C.UTF-8, so that gettext finds it
 * there without $LANGUAGE, which the program would inherit. English is the
 * source text: the "C" messages locale. */
#include "i18n.h"

#include <ctype.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef AIODEMO_LOCALEDIR
#define AIODEMO_LOCALEDIR "/usr/local/share/aiodemo/locale"
#endif

static enum i18n_lang chosen = I18N_EN;

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The locale that LC_MESSAGES takes from the environment, as setlocale()
 * reads it, or NULL for none. */
static const char *messages_locale(void)
{
	const char *v = env("LC_ALL");
	if (!v)
		v = env("LC_MESSAGES");
	if (!v)
		v = env("LANG");
	return v;
}

static bool is_c(const char *name)
{
	return !name || !strcmp(name, "C") || !strcmp(name, "POSIX");
}

/* The language of one locale or $LANGUAGE entry: 1 Chinese, 0 English, -1
 * one aiodemo does not speak. */
static int lang_of(const char *name, size_t len)
{
	if (len >= 2 && !strncasecmp(name, "zh", 2) &&
	    (len == 2 || !isalpha((unsigned char)name[2])))
		return I18N_ZH;
	if ((len >= 2 && !strncasecmp(name, "en", 2) &&
	     (len == 2 || !isalpha((unsigned char)name[2]))) ||
	    (len >= 1 && name[0] == 'C' && (len == 1 || name[1] == '.')) ||
	    (len == 5 && !strncmp(name, "POSIX", 5)))
		return I18N_EN;
	return -1;
}

/* The language that the environment asks for. */
static enum i18n_lang lang_of_environment(void)
{
	const char *loc = messages_locale();
	/* As gettext: $LANGUAGE, a list of languages by preference, counts
	 * unless the locale is "C"; English is always there. */
	const char *list = env("LANGUAGE");
	if (list && !is_c(loc)) {
		for (const char *p = list; *p;) {
			size_t n = strcspn(p, ":");
			int l = lang_of(p, n);
			if (l >= 0)
				return (enum i18n_lang)l;
			p += n;
			if (*p == ':')
				p++;
		}
	}
	if (loc && lang_of(loc, strlen(loc)) == I18N_ZH)
		return I18N_ZH;
	return I18N_EN;
}

/* Whether the environment's locales ask for UTF-8. */
static bool asks_utf8(void)
{
	static const char *const names[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = env(names[i]);
		if (v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}

/* Where the catalogues are: the build tree's for a binary run from it,
 * else the installed one; $AIODEMO_LOCALEDIR wins. */
static const char *catalogue_dir(void)
{
	const char *dir = env("AIODEMO_LOCALEDIR");
	if (dir)
		return dir;
#ifdef AIODEMO_BUILD_ROOT
	static char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t root = strlen(AIODEMO_BUILD_ROOT);
	if (n > 0 && (size_t)n > root) {
		exe[n] = '\0';
		if (!strncmp(exe, AIODEMO_BUILD_ROOT, root) && exe[root] == '/')
			return AIODEMO_BUILD_ROOT "/po";
	}
#endif
	return AIODEMO_LOCALEDIR;
}

int i18n_init(const char *option)
{
	if (!setlocale(LC_ALL, "")) {
		/* A locale that is not installed: the "C" locale, with UTF-8
		 * characters if it asked for them. */
		setlocale(LC_ALL, "C");
		if (asks_utf8())
			setlocale(LC_CTYPE, "C.UTF-8");
	}
	int lang = -1;
	if (option) {
		if (!strcmp(option, "zh"))
			lang = I18N_ZH;
		else if (!strcmp(option, "en"))
			lang = I18N_EN;
		else
			return -1;
	}
	chosen = lang >= 0 ? (enum i18n_lang)lang : lang_of_environment();
	if (chosen == I18N_ZH) {
		const char *now = setlocale(LC_MESSAGES, NULL);
		if (!now || strncmp(now, "zh", 2) != 0)
			setlocale(LC_MESSAGES, "C.UTF-8");
	} else {
		setlocale(LC_MESSAGES, "C");
	}
	bindtextdomain("aiodemo", catalogue_dir());
	bind_textdomain_codeset("aiodemo", "UTF-8");
	textdomain("aiodemo");
	return 0;
}

enum i18n_lang i18n_lang(void)
{
	return chosen;
}

/* The conversions that notes use: %d, %zu, %s, %.*s, %.3f, %g ... */
#define MAX_PIECES 8

struct piece {
	const char *at;
	size_t len;
};

/* The length of the conversion at @f (after its '%'), or 0. */
static size_t conversion(const char *f)
{
	size_t n = strspn(f, "0123456789$.*-+ #lz");
	return strchr("dufgsx", f[n]) && f[n] ? n + 1 : 0;
}

/* Whether @text matches @fmt from here on, the pieces its conversions
 * printed in @p (numbers as numbers, strings as long as a match allows). */
static bool match(const char *fmt, const char *text, struct piece *p, int np)
{
	while (*fmt && *fmt != '%') {
		if (*fmt++ != *text++)
			return false;
	}
	if (!*fmt)
		return !*text;
	if (fmt[1] == '%')
		return *text == '%' && match(fmt + 2, text + 1, p, np);
	size_t c = conversion(fmt + 1);
	if (!c || np >= MAX_PIECES)
		return false;
	char type = fmt[c];
	const char *rest = fmt + 1 + c;
	p[np].at = text;
	if (type == 's') {
		for (size_t len = strlen(text) + 1; len-- > 0;) {
			p[np].len = len;
			if (match(rest, text + len, p, np + 1))
				return true;
		}
		return false;
	}
	size_t len = strspn(text, type == 'x'   ? "0123456789abcdef"
	                          : type == 'f' ? "-0123456789."
	                          : type == 'g' ? "-+0123456789.e"
	                                        : "-0123456789");
	if (!len)
		return false;
	p[np].len = len;
	return match(rest, text + len, p, np + 1);
}

static void fill(struct buf *out, const char *fmt, const struct piece *p, int np,
                 const char *const *words, size_t nwords);

/* The number of conversions of @fmt. */
static int conversions(const char *fmt)
{
	int np = 0;
	for (const char *f = fmt; (f = strchr(f, '%')); f++) {
		if (f[1] == '%')
			f++;
		else
			np++;
	}
	return np;
}

/* Appends piece @p translated when it is one of the @words, or matches
 * one of them that has conversions of its own ("an item of %s %s"), else
 * as it is. */
static void fill_piece(struct buf *out, const struct piece *p, const char *const *words,
                       size_t nwords)
{
	for (size_t w = 0; w < nwords; w++)
		if (strlen(words[w]) == p->len && !memcmp(words[w], p->at, p->len)) {
			buf_puts(out, gettext(words[w]));
			return;
		}
	struct buf text = { 0 };
	buf_add(&text, p->at, p->len);
	for (size_t w = 0; w < nwords; w++) {
		struct piece q[MAX_PIECES];
		if (strchr(words[w], '%') && match(words[w], text.data ? text.data : "", q, 0)) {
			fill(out, gettext(words[w]), q, conversions(words[w]), NULL, 0);
			buf_free(&text);
			return;
		}
	}
	buf_free(&text);
	buf_add(out, p->at, p->len);
}

/* Appends @fmt with its conversions replaced by @p, in order or as their
 * "%N$" says. */
static void fill(struct buf *out, const char *fmt, const struct piece *p, int np,
                 const char *const *words, size_t nwords)
{
	int next = 0;
	while (*fmt) {
		const char *pc = strchr(fmt, '%');
		if (!pc) {
			buf_puts(out, fmt);
			return;
		}
		buf_add(out, fmt, (size_t)(pc - fmt));
		if (pc[1] == '%') {
			buf_putc(out, '%');
			fmt = pc + 2;
			continue;
		}
		size_t c = conversion(pc + 1);
		int i = next++;
		if (isdigit((unsigned char)pc[1])) {
			char *end;
			long pos = strtol(pc + 1, &end, 10);
			if (*end == '$')
				i = (int)pos - 1;
		}
		/* "%1$.0s": a piece the translation leaves out. */
		bool left_out = c >= 3 && !strncmp(pc + 1 + c - 3, ".0s", 3);
		if (i >= 0 && i < np && !left_out)
			fill_piece(out, &p[i], words, nwords);
		fmt = pc + 1 + (c ? c : 0);
	}
}

void i18n_retranslate(struct buf *out, const char *text, const char *const *formats, size_t n)
{
	i18n_retranslate_words(out, text, formats, n, NULL, 0);
}

void i18n_retranslate_words(struct buf *out, const char *text, const char *const *formats, size_t n,
                            const char *const *words, size_t nwords)
{
	if (chosen != I18N_EN) {
		struct piece p[MAX_PIECES];
		for (size_t i = 0; i < n; i++) {
			if (match(formats[i], text, p, 0)) {
				fill(out, gettext(formats[i]), p, conversions(formats[i]), words,
				     nwords);
				return;
			}
		}
	}
	buf_puts(out, text);
}

const char *i18n_pgettext(const char *ctx_s, const char *s)
{
	const char *t = gettext(ctx_s);
	return t == ctx_s ? s : t;
}

const char *i18n_lang_name(void)
{
	return chosen == I18N_ZH ? "zh" : "en";
}
