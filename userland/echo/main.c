/* echo [-neE] [string...]: GNU coreutils semantics (no --help). */
#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int main(int argc, char **argv)
{
	int nl = 1, esc = 0, i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1] || strspn(a + 1, "neE") != strlen(a + 1))
			break;
		for (a++; *a; a++)
			if (*a == 'n')
				nl = 0;
			else
				esc = *a == 'e';
	}
	for (int first = 1; i < argc; i++, first = 0) {
		if (!first)
			putchar(' ');
		const char *s = argv[i];
		if (!esc) {
			fputs(s, stdout);
			continue;
		}
		for (; *s; s++) {
			if (*s != '\\' || !s[1]) {
				putchar(*s);
				continue;
			}
			switch (*++s) {
			case 'a': putchar('\a'); break;
			case 'b': putchar('\b'); break;
			case 'c': return fflush(stdout) != 0;
			case 'e': putchar(27); break;
			case 'f': putchar('\f'); break;
			case 'n': putchar('\n'); break;
			case 'r': putchar('\r'); break;
			case 't': putchar('\t'); break;
			case 'v': putchar('\v'); break;
			case '\\': putchar('\\'); break;
			case '0': {
				int v = 0;
				for (int k = 0; k < 3 && s[1] >= '0' && s[1] <= '7'; k++)
					v = v * 8 + (*++s - '0');
				putchar(v);
				break;
			}
			case 'x':
				if (hexval(s[1]) < 0) {
					fputs("\\x", stdout);
					break;
				}
				{
					int v = hexval(*++s);
					if (hexval(s[1]) >= 0)
						v = v * 16 + hexval(*++s);
					putchar(v);
				}
				break;
			default:
				putchar('\\');
				putchar(*s);
			}
		}
	}
	if (nl)
		putchar('\n');
	return fflush(stdout) != 0;
}
