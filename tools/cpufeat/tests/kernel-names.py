#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every feature name a kernel tree can print, as the cpufeat tool's tables
must know them.

    kernel-names.py LINUX_SRC > kernel-names-6.12.txt

One line per name, in the kernel's order (the feature's bit number):

    ARCH INDEX NAME KIND

x86_64: every X86_FEATURE_* of arch/x86/include/asm/cpufeatures.h whose
comment starts with a quoted name (what mkcapflags.sh puts in the "flags"
line of /proc/cpuinfo); INDEX is word*32+bit; KIND is "cpufeat" when the
feature's capability word is one of cpufeat_x86_regs[]
(arch/x86/kernel/cpu/cpufeat.c: cpufeat.hwcap accepts the name), else
"cpuinfo" (the name appears in /proc/cpuinfo only).

arm64: every hwcap_str[] name of arch/arm64/kernel/cpuinfo.c (the
"Features" line); INDEX is the KERNEL_HWCAP_* number; KIND is "cpufeat"
(cpufeat controls every hwcap).
"""
import re
import sys


def read(src, path):
    with open(f"{src}/{path}") as f:
        return f.read()


def x86(src):
    leafs = read(src, "arch/x86/include/asm/cpufeature.h")
    body = re.search(r"enum cpuid_leafs\s*{(.*?)}", leafs, re.S).group(1)
    words = {}
    for i, name in enumerate(re.findall(r"\b(CPUID_\w+)", body)):
        if name == "NR_CPUID_WORDS":
            break
        words[name] = i
    table = read(src, "arch/x86/kernel/cpu/cpufeat.c")
    body = re.search(r"cpufeat_x86_regs\[\] = {(.*?)\n};", table, re.S).group(1)
    controlled = {words[w] for w in re.findall(r"CPUFEAT_X86_WORD\(\s*(CPUID_\w+),", body)}
    out = []
    feats = read(src, "arch/x86/include/asm/cpufeatures.h")
    for m in re.finditer(r"^#\s*define\s+X86_FEATURE_\w+\s+\(\s*(\d+)\s*\*\s*32\s*\+\s*(\d+)\s*\)\s*/\*\s*\"([^\"]*)\"",
                         feats, re.M):
        word, bit, name = int(m.group(1)), int(m.group(2)), m.group(3).lower()
        if not name:
            continue
        kind = "cpufeat" if word in controlled else "cpuinfo"
        out.append((word * 32 + bit, name, kind))
    return sorted(out)


def arm64(src):
    uapi = read(src, "arch/arm64/include/uapi/asm/hwcap.h")
    bits = {}
    for m in re.finditer(r"^#define\s+(HWCAP2?_\w+)\s+\(1(?:UL|ULL)?\s*<<\s*(\d+)\)", uapi, re.M):
        bits[m.group(1)] = int(m.group(2))
    khw = read(src, "arch/arm64/include/asm/hwcap.h")
    index = {}
    for m in re.finditer(r"^#define\s+(KERNEL_HWCAP_\w+)\s+__khwcap(2?)_feature\((\w+)\)", khw, re.M):
        two = m.group(2) == "2"
        index[m.group(1)] = bits[("HWCAP2_" if two else "HWCAP_") + m.group(3)] + (64 if two else 0)
    cpuinfo = read(src, "arch/arm64/kernel/cpuinfo.c")
    body = re.search(r"hwcap_str\[\] = {(.*?)};", cpuinfo, re.S).group(1)
    out = []
    for m in re.finditer(r"\[(KERNEL_HWCAP_\w+)\]\s*=\s*\"([^\"]+)\"", body):
        out.append((index[m.group(1)], m.group(2), "cpufeat"))
    return sorted(out)


def main():
    src = sys.argv[1]
    for arch, fn in (("x86_64", x86), ("arm64", arm64)):
        for idx, name, kind in fn(src):
            print(f"{arch} {idx} {name} {kind}")


main()
