/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output and file helpers of test_cpufeat's freestanding 32-bit
 * programs (cpufeat_cpuid32 on x86, cpufeat_hwcap32 on arm64), which have
 * no libc.  The program defines syscall3() (its architecture's system
 * call) before it includes this file; the system call numbers below are
 * the same for i386 and the ARM EABI.
 */
#ifndef __CPUFEAT_FREESTANDING_H
#define __CPUFEAT_FREESTANDING_H

#define NR_exit		1
#define NR_read		3
#define NR_write	4
#define NR_open		5
#define NR_close	6

#define AT_NULL		0
#define AT_HWCAP	16
#define AT_SECURE	23
#define AT_HWCAP2	26

#define O_RDONLY	0

static long syscall3(long nr, long a, long b, long c);

static char out[32768];
static unsigned int out_len;
static char text[16384];

static void put_char(char c)
{
	if (out_len < sizeof(out))
		out[out_len++] = c;
}

static void put_str(const char *s)
{
	while (*s)
		put_char(*s++);
}

static void put_hex(unsigned int v)
{
	int shift = 28;

	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		put_char("0123456789abcdef"[(v >> shift) & 0xf]);
}

/* As printf's "%#x": "0" or "0x..." */
static void put_hex_prefixed(unsigned int v)
{
	if (v)
		put_str("0x");
	put_hex(v);
}

/* Write out[] and exit with @status (1 if out[] could not hold it all). */
static void flush_and_exit(int status)
{
	unsigned int done = 0;
	long ret;

	if (out_len == sizeof(out))
		status = 1;
	while (done < out_len) {
		ret = syscall3(NR_write, 1, (long)(out + done), out_len - done);
		if (ret <= 0) {
			status = 1;
			break;
		}
		done += ret;
	}
	syscall3(NR_exit, status, 0, 0);
	for (;;)
		;
}

/* Read all of @path into @buf (NUL-terminated); the length or -errno. */
static long read_file(const char *path, char *buf, unsigned int size)
{
	unsigned int len = 0;
	long fd, ret;

	fd = syscall3(NR_open, (long)path, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	while (len < size - 1) {
		ret = syscall3(NR_read, fd, (long)(buf + len), size - 1 - len);
		if (ret < 0) {
			syscall3(NR_close, fd, 0, 0);
			return ret;
		}
		if (!ret)
			break;
		len += ret;
	}
	buf[len] = '\0';
	syscall3(NR_close, fd, 0, 0);
	return len;
}

#endif /* __CPUFEAT_FREESTANDING_H */
