/* SPDX-License-Identifier: MIT */
/* The hypervisor from the kernel log: kerf_env_kernel_log_scan finds the
 * "Hypervisor detected" and DMI lines in /dev/kmsg records and dmesg text,
 * keeps the first of each, and ignores look-alikes; kerf env names where
 * each fact came from. */
#include <stdio.h>
#include <string.h>

#include "kerf/env.h"
#include "check.h"

static void scan(const char *text, const char *want_hv, const char *want_dmi)
{
	char hv[64] = "", dmi[128] = "";

	kerf_env_kernel_log_scan(text, hv, sizeof(hv), dmi, sizeof(dmi));
	CHECK(!strcmp(hv, want_hv), "hv '%s', want '%s' in: %s", hv, want_hv,
	      text);
	CHECK(!strcmp(dmi, want_dmi), "dmi '%s', want '%s' in: %s", dmi,
	      want_dmi, text);
}

int main(void)
{
	json_t *env, *virt, *src;

	/* /dev/kmsg records, one per read. */
	scan("6,12,0,-;Hypervisor detected: PVM\n", "PVM", "");
	scan("6,3,0,-;DMI: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16\n"
	     " SUBSYSTEM=dmi\n",
	     "", "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16");
	/* dmesg text: the first of each, trailing blanks dropped. */
	scan("[    0.000000] DMI: Amazon EC2 m5.large/, BIOS 1.0 10/16/2017\n"
	     "[    0.000000] Hypervisor detected: KVM  \n"
	     "[    0.000001] Hypervisor detected: Xen HVM\n",
	     "KVM", "Amazon EC2 m5.large/, BIOS 1.0 10/16/2017");
	/* Look-alikes: not a DMI line, no hypervisor. */
	scan("[    1.2] ACPI: DMI: not this\n[    1.3] usb 1-1: new device\n",
	     "", "");

	env = kerf_env_capture();
	virt = json_object_get(env, "virt");
	src = json_object_get(virt, "sources");
	CHECK(json_is_object(src), "env.virt.sources missing");
	if (json_is_true(json_object_get(virt, "hypervisor"))) {
		const char *from =
			json_string_value(json_object_get(virt, "name_from"));

		CHECK(from && json_object_get(src, from),
		      "virt.name_from '%s' is not one of the sources",
		      from ? from : "(none)");
		printf("virt: %s from %s\n",
		       json_string_value(json_object_get(virt, "name")),
		       from ? from : "?");
	}
	json_decref(env);
	if (fails)
		return 1;
	printf("ok\n");
	return 0;
}
