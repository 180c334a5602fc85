// SPDX-License-Identifier: GPL-2.0-only
/*
 * storage_conf: the storage document. policies/storage.json parses; each
 * invalid document is refused with the field it names; a device object
 * without an id is one `storage add` may send; apply routes by "devices".
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage_conf.h"
#include "../check_run.h"

static json_object *parse_str(const char *s)
{
	json_object *o = json_tokener_parse(s);

	ck_assert_msg(o, "fixture is not JSON: %s", s);
	return o;
}

START_TEST(test_example_policy)
{
	const char *top = getenv("BOOST_TOP");
	struct storage_conf c;
	char path[4096], err[512] = "";
	json_object *doc;

	snprintf(path, sizeof(path), "%s/policies/storage.json", top ? top : ".");
	doc = json_object_from_file(path);
	ck_assert_msg(doc, "cannot read %s", path);
	ck_assert(storage_conf__is_storage_doc(doc));
	ck_assert_msg(storage_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.ndevs, 3);
	ck_assert_int_eq(c.devs[0].id, 0);
	ck_assert_str_eq(c.devs[0].backend, "file:/var/lib/boost/disks/vm1.img");
	ck_assert_uint_eq(c.devs[0].block_size, 4096);
	ck_assert_uint_eq(c.devs[0].size, 0);
	ck_assert_uint_eq(c.devs[1].depth, 64);
	ck_assert_uint_eq(c.devs[2].size, 1ull << 30);
	ck_assert_uint_eq(c.devs[2].queues, 1);
	storage_conf__free(&c);
	json_object_put(doc);
}
END_TEST

static const struct {
	const char *doc, *err;
} bad[] = {
	{ "[]", "storage document: must be a JSON object" },
	{ "{}", "devices: missing" },
	{ "{\"devices\": {}}", "devices: must be an array" },
	{ "{\"devices\": [], \"ports\": []}", "ports: unknown key" },
	{ "{\"devices\": [1]}", "devices[0]: must be an object" },
	{ "{\"devices\": [{\"id\": 0}]}", "devices[0].backend: missing" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": 7}]}", "devices[0].backend: must be a string" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"nbd:x\"}]}",
	  "devices[0]: backend nbd:x: NBD URI 'x': expected nbd://ADDRESS[:PORT]/EXPORT" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"rbd:pool/image\"}]}",
	  "devices[0]: backend rbd:pool/image: no conf=PATH (the cluster's ceph.conf)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"rbd:pool/../x,conf=/c\"}]}",
	  "devices[0]: backend rbd:pool/../x,conf=/c: " },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"rbd:p/i,conf=/c\", \"reconnect_timeout\": 5}]}",
	  "devices[0].reconnect_timeout: only for an NBD server (nbd:URI, or a cache before one)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"crypt:rbd:p/i,conf=/c\"}]}",
	  "devices[0].crypt.header: required for an rbd image (boostd does not reach the image, so its LUKS2 header is a detached file)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"cache:/c.img,rbd:p/i\"}]}",
	  "devices[0]: backend rbd:p/i: no conf=PATH (the cluster's ceph.conf)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"cache:/c.img,rbd:p/i,conf=/c\", \"reconnect_timeout\": 5}]}",
	  "devices[0].reconnect_timeout: only for an NBD server (nbd:URI, or a cache before one)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"sheepdog:x\"}]}",
	  "devices[0]: backend sheepdog:x: unknown; expected null | mem:SIZE | file:PATH | nbd:URI | rbd:POOL/IMAGE,conf=PATH,... | cache:LOCAL_FILE,...,REMOTE | crypt:BACKEND" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"nbd:nbds://192.0.2.1/x\"}]}",
	  "devices[0]: backend nbd:nbds://192.0.2.1/x: NBD URI 'nbds://192.0.2.1/x': TLS (nbds) is not supported" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"nbd:nbd://disks.example/x\"}]}",
	  "the server must be an IP address: boost-ublk resolves no names" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"nbd:nbd+unix:///x\"}]}",
	  "nbd+unix needs ?socket=/PATH" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"nbd:nbd://192.0.2.1:70000/\"}]}",
	  "the port is not a number from 1 to 65535" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"reconnect_timeout\": 5}]}",
	  "devices[0].reconnect_timeout: only for an NBD server (nbd:URI, or a cache before one)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"cache:c.img,nbd:nbd://192.0.2.1/\"}]}",
	  "devices[0]: backend cache:c.img,nbd:nbd://192.0.2.1/: the local file must be an absolute path" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"cache:/c.img,mem:8M\"}]}",
	  "devices[0]: backend cache:/c.img,mem:8M: remote mem:8M: not a remote backend (expected nbd:URI or rbd:SPEC)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"cache:/c.img,mode=lazy,nbd:nbd://192.0.2.1/\"}]}",
	  "mode=lazy: expected writethrough or writeback" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"cache:/c.img,line=48K,nbd:nbd://192.0.2.1/\"}]}",
	  "line=48K: a power of two from 4K to 256K" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"cache:/c.img,nbd:x\"}]}",
	  "devices[0]: backend nbd:x: NBD URI 'x': expected nbd://ADDRESS[:PORT]/EXPORT" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"nbd:nbd://192.0.2.1/\", \"reconnect_timeout\": 0}]}",
	  "devices[0].reconnect_timeout: must be a whole number from 1 to 3600" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:lots\"}]}",
	  "devices[0]: backend mem:lots: 'lots' is not a size" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"file:disk.img\"}]}",
	  "devices[0]: backend file:disk.img: the path must be absolute" },
	{ "{\"devices\": [{\"backend\": \"mem:8M\"}]}", "devices[0].id: missing" },
	{ "{\"devices\": [{\"id\": -1, \"backend\": \"mem:8M\"}]}", "devices[0].id: must be a whole number" },
	{ "{\"devices\": [{\"id\": \"0\", \"backend\": \"mem:8M\"}]}", "devices[0].id: must be a whole number" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"queues\": 0}]}", "devices[0].queues: must be a whole number from 1 to 4096" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"depth\": 5000}]}", "devices[0].depth: must be a whole number from 1 to 4096" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"block_size\": 1024}]}", "devices[0].block_size: must be 512 or 4096" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"null\"}]}", "devices[0].size: required for backend null" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"null\", \"size\": \"1000\"}]}",
	  "devices[0].size: 1000 is not a multiple of the block size 512" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"null\", \"size\": \"1M\", \"block_size\": 4096, \"queues\": 1}, {\"id\": 1, \"backend\": \"null\", \"size\": 6144, \"block_size\": 4096}]}",
	  "devices[1].size: 6144 is not a multiple of the block size 4096" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"null\", \"size\": \"big\"}]}", "devices[0].size: size 'big' is not a size" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"null\", \"size\": 0}]}", "devices[0].size: size '0' is not a size" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"size\": \"16M\"}]}", "devices[0].size: 16777216 is larger than the backend mem:8M" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"name\": \"x\"}]}", "devices[0].name: unknown key" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"qos\": 5}]}",
	  "devices[0].qos: must be an object of caps" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"qos\": {\"iopz\": 5}}]}",
	  "devices[0].qos.iopz: unknown key; expected iops, read_iops" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"qos\": {\"read_iops\": -1}}]}",
	  "devices[0].qos.read_iops: '-1' is not a whole number from 0 (no cap) to 1099511627776" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"qos\": {\"iops\": \"1k\"}}]}",
	  "devices[0].qos.iops: '1k' is not a whole number" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"qos\": {\"bps\": \"fast\"}}]}",
	  "devices[0].qos.bps: 'fast' is not a size (BYTES[K|M|G|T])" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"qos\": {\"write_bps\": \"2T\"}}]}",
	  "devices[0].qos.write_bps: '2T' is not a size (BYTES[K|M|G|T]) from 0 (no cap) to 1099511627776" },
	{ "{\"devices\": [{\"id\": 3, \"backend\": \"mem:8M\"}, {\"id\": 3, \"backend\": \"null\", \"size\": 4096}]}",
	  "devices[1].id: 3 is also devices[0]'s" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"crypt:null\", \"size\": 4096}]}",
	  "devices[0].crypt: the null backend holds no data to encrypt" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"crypt:cache:/c,nbd:nbd+unix:///?socket=/s\"}]}",
	  "devices[0].crypt.header: required for a cached disk (boostd would write the header behind the cache, so it is a detached file)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"crypt:crypt:mem:8M\"}]}",
	  "devices[0]: backend crypt:mem:8M: unknown" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"crypt:\"}]}",
	  "devices[0]: backend : unknown" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"crypt\": 1}]}",
	  "devices[0].crypt: must be true, false or an object (header, recovery_passphrase_file)" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"crypt\": {\"key\": \"x\"}}]}",
	  "devices[0].crypt.key: unknown key; expected header, recovery_passphrase_file" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"crypt\": {\"header\": \"rel/h\"}}]}",
	  "devices[0].crypt.header: must be an absolute path" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"mem:8M\", \"crypt\": {\"recovery_passphrase_file\": 3}}]}",
	  "devices[0].crypt.recovery_passphrase_file: must be an absolute path" },
	{ "{\"devices\": [{\"id\": 0, \"backend\": \"crypt:mem:6144\"}]}",
	  "devices[0].size: 6144 is not a multiple of the block size 4096" },
};

START_TEST(test_invalid)
{
	struct storage_conf c = { 0 };
	char err[512] = "";
	json_object *doc = parse_str(bad[_i].doc);

	ck_assert_msg(storage_conf__parse(doc, &c, err, sizeof(err)) == -EINVAL,
		      "accepted: %s", bad[_i].doc);
	ck_assert_msg(strstr(err, bad[_i].err), "%s: got '%s', want '%s'", bad[_i].doc, err,
		      bad[_i].err);
	ck_assert_ptr_null(c.devs);
	json_object_put(doc);
}
END_TEST

START_TEST(test_device_without_id)
{
	struct storage_conf_dev d;
	char err[512] = "";
	json_object *o = parse_str("{\"backend\": \"file:/tmp/x\", \"size\": \"64M\", \"queues\": 2}");

	ck_assert_msg(storage_conf__parse_device(o, "storage add", false, &d, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(d.id, -1);
	ck_assert_uint_eq(d.size, 64u << 20);
	ck_assert_uint_eq(d.queues, 2);
	ck_assert_uint_eq(d.depth, 0);
	json_object_put(o);
	o = parse_str("{\"backend\": \"bogus\"}");
	ck_assert_int_eq(storage_conf__parse_device(o, "storage add", false, &d, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "storage add: backend bogus: unknown; expected null | mem:SIZE | file:PATH"
			      " | nbd:URI | rbd:POOL/IMAGE,conf=PATH,... | cache:LOCAL_FILE,...,REMOTE"
			      " | crypt:BACKEND");
	json_object_put(o);
}
END_TEST

/* Encryption: crypt:BACKEND, "crypt": true or an object, and back as JSON. */
START_TEST(test_crypt)
{
	struct storage_conf_dev d, again;
	char err[512] = "";
	json_object *o = parse_str("{\"backend\": \"crypt:mem:64M\"}"), *back;

	ck_assert_msg(storage_conf__parse_device(o, "add", false, &d, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert(d.crypt);
	ck_assert_str_eq(d.backend, "mem:64M");
	ck_assert_str_eq(d.crypt_header, "");
	json_object_put(o);
	o = parse_str("{\"backend\": \"file:/srv/d.img\", \"crypt\": false}");
	ck_assert_int_eq(storage_conf__parse_device(o, "add", false, &d, err, sizeof(err)), 0);
	ck_assert(!d.crypt);
	ck_assert_ptr_null(storage_conf__crypt_json(&d));
	json_object_put(o);
	o = parse_str("{\"backend\": \"file:/srv/d.img\", \"crypt\": {\"header\": \"/srv/d.hdr\", "
		      "\"recovery_passphrase_file\": \"/root/pass\"}}");
	ck_assert_int_eq(storage_conf__parse_device(o, "add", false, &d, err, sizeof(err)), 0);
	ck_assert(d.crypt);
	ck_assert_str_eq(d.backend, "file:/srv/d.img");
	ck_assert_str_eq(d.crypt_header, "/srv/d.hdr");
	ck_assert_str_eq(d.crypt_recovery, "/root/pass");
	json_object_put(o);
	/* The object boostd persists parses back to the same device. */
	o = json_object_new_object();
	json_object_object_add(o, "backend", json_object_new_string(d.backend));
	back = storage_conf__crypt_json(&d);
	ck_assert_ptr_nonnull(back);
	json_object_object_add(o, "crypt", back);
	ck_assert_int_eq(storage_conf__parse_device(o, "add", false, &again, err, sizeof(err)), 0);
	ck_assert(again.crypt);
	ck_assert_str_eq(again.crypt_header, d.crypt_header);
	ck_assert_str_eq(again.crypt_recovery, d.crypt_recovery);
	json_object_put(o);
	/* "crypt": {} is encrypted, with the defaults. */
	o = parse_str("{\"backend\": \"mem:8M\", \"crypt\": {}}");
	ck_assert_int_eq(storage_conf__parse_device(o, "add", false, &d, err, sizeof(err)), 0);
	ck_assert(d.crypt);
	json_object_put(o);
}
END_TEST

/* nbd: both transports, an escaped export name, and the reconnect timeout. */
START_TEST(test_nbd)
{
	static const char *const good[] = {
		"nbd:nbd+unix:///?socket=/run/nbd.sock",
		"nbd:nbd+unix:///disk%201?socket=/run/nbd%20x.sock",
		"nbd:nbd://192.0.2.1",
		"nbd:nbd://192.0.2.1:10810/vm1",
		"nbd:nbd://[2001:db8::1]:10809/vm1",
		/* A cache before a remote takes the remote's timeout. */
		"cache:/var/cache/d0,nbd:nbd://192.0.2.1/vm1",
		"cache:/var/cache/d0,mode=writeback,line=128K,dirty_max=1G,nbd:nbd://192.0.2.1/vm1",
	};
	struct storage_conf_dev d;
	char err[512] = "", doc[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		json_object *o;

		snprintf(doc, sizeof(doc), "{\"backend\": \"%s\", \"reconnect_timeout\": 7}", good[i]);
		o = parse_str(doc);
		ck_assert_msg(storage_conf__parse_device(o, "storage add", false, &d, err,
							 sizeof(err)) == 0, "%s: %s", good[i], err);
		ck_assert_str_eq(d.backend, good[i]);
		ck_assert_uint_eq(d.reconnect_timeout, 7);
		json_object_put(o);
	}
}
END_TEST

/* rbd: the spec as the backend takes it; encrypted only with a detached header. */
START_TEST(test_rbd)
{
	static const char *const good[] = {
		"rbd:rbd/vm1,conf=/etc/ceph/ceph.conf",
		"rbd:pool-2/disk_1.img@snap-3,conf=/c/ceph.conf,keyring=/c/k,id=boost",
		/* A cache before an image is boost-ublk-rbd's too. */
		"cache:/var/cache/d1,mode=writeback,rbd:rbd/vm1,conf=/etc/ceph/ceph.conf",
	};
	struct storage_conf_dev d;
	char err[512] = "", doc[256];
	json_object *o;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"backend\": \"%s\"}", good[i]);
		o = parse_str(doc);
		ck_assert_msg(storage_conf__parse_device(o, "storage add", false, &d, err,
							 sizeof(err)) == 0, "%s: %s", good[i], err);
		ck_assert_str_eq(d.backend, good[i]);
		ck_assert(storage_conf__uses_rbd(d.backend));
		json_object_put(o);
	}
	o = parse_str("{\"backend\": \"crypt:rbd:rbd/vm1,conf=/c\", \"crypt\": {\"header\": \"/h\"}}");
	ck_assert_msg(storage_conf__parse_device(o, "add", false, &d, err, sizeof(err)) == 0, "%s", err);
	ck_assert(d.crypt);
	ck_assert_str_eq(d.backend, "rbd:rbd/vm1,conf=/c");
	ck_assert_str_eq(d.crypt_header, "/h");
	json_object_put(o);
	/* A cache before it too, with the header detached. */
	o = parse_str("{\"backend\": \"crypt:cache:/c,rbd:rbd/vm1,conf=/c\", \"crypt\": {\"header\": \"/h\"}}");
	ck_assert_msg(storage_conf__parse_device(o, "add", false, &d, err, sizeof(err)) == 0, "%s", err);
	ck_assert(d.crypt && storage_conf__uses_rbd(d.backend));
	json_object_put(o);
	ck_assert(!storage_conf__uses_rbd("nbd:nbd://192.0.2.1/rbd:x"));
	ck_assert(!storage_conf__uses_rbd("cache:/c,nbd:nbd://192.0.2.1/x"));
	ck_assert(!storage_conf__uses_rbd("file:/rbd:x"));
}
END_TEST

/* Caps: numbers, sizes as numbers or text, and what is left out is no cap. */
START_TEST(test_qos)
{
	struct storage_conf_dev d;
	char err[512] = "";
	json_object *o = parse_str("{\"backend\": \"null\", \"size\": 4096, \"qos\": {\"iops\": 1000, "
				   "\"read_iops\": 0, \"write_bps\": \"50M\", \"bps\": 1048576, "
				   "\"iops_burst\": 8, \"bps_burst\": \"1M\"}}"), *back;

	ck_assert_msg(storage_conf__parse_device(o, "storage add", false, &d, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(d.qos.iops[BLK_QOS_TOTAL], 1000);
	ck_assert_uint_eq(d.qos.iops[BLK_QOS_READ], 0);
	ck_assert_uint_eq(d.qos.bps[BLK_QOS_WRITE], 50u << 20);
	ck_assert_uint_eq(d.qos.bps[BLK_QOS_TOTAL], 1u << 20);
	ck_assert_uint_eq(d.qos.iops_burst, 8);
	ck_assert_uint_eq(d.qos.bps_burst, 1u << 20);
	/* Written back (boostd's state) with only the caps set, and read again the same. */
	back = storage_conf__qos_json(&d.qos);
	ck_assert_str_eq(json_object_to_json_string_ext(back, JSON_C_TO_STRING_PLAIN),
			 "{\"iops\":1000,\"bps\":1048576,\"write_bps\":52428800,\"iops_burst\":8,"
			 "\"bps_burst\":1048576}");
	json_object_put(o);
	o = parse_str("{\"backend\": \"null\", \"size\": 4096}");
	json_object_object_add(o, "qos", back);
	ck_assert_int_eq(storage_conf__parse_device(o, "x", false, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.qos.bps[BLK_QOS_WRITE], 50u << 20);
	json_object_put(o);
	o = parse_str("{\"backend\": \"null\", \"size\": 4096}");
	ck_assert_int_eq(storage_conf__parse_device(o, "x", false, &d, err, sizeof(err)), 0);
	ck_assert(!blk_qos__any(&d.qos));
	json_object_put(o);
}
END_TEST

/* 95k devices once took 19 s and 740 MB before they were refused. */
START_TEST(test_limits)
{
	json_object *doc = json_object_new_object(), *devs = json_object_new_array();
	struct storage_conf c;
	char err[512] = "";

	for (int i = 0; i < 95000; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "id", json_object_new_int(i));
		json_object_object_add(d, "backend", json_object_new_string("null"));
		json_object_object_add(d, "size", json_object_new_string("1M"));
		json_object_array_add(devs, d);
	}
	json_object_object_add(doc, "devices", devs);
	ck_assert_int_lt(storage_conf__parse(doc, &c, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "devices: more than 1024"), "%s", err);
	while (json_object_array_length(devs) > STORAGE_MAX_DEVICES)
		json_object_array_del_idx(devs, json_object_array_length(devs) - 1, 1);
	ck_assert_msg(storage_conf__parse(doc, &c, err, sizeof(err)) == 0, "%s", err);
	storage_conf__free(&c);
	json_object_object_add(json_object_array_get_idx(devs, 1000), "id", json_object_new_int(3));
	ck_assert_int_lt(storage_conf__parse(doc, &c, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "devices[1000].id: 3 is also devices[3]'s"), "%s", err);
	json_object_put(doc);
}
END_TEST

START_TEST(test_routing)
{
	json_object *net = parse_str("{\"ports\": [], \"security_groups\": []}");
	json_object *sto = parse_str("{\"devices\": []}");

	ck_assert(!storage_conf__is_storage_doc(net));
	ck_assert(storage_conf__is_storage_doc(sto));
	json_object_put(net);
	json_object_put(sto);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("storage_conf");
	TCase *tc = tcase_create("storage_conf");

	tcase_add_test(tc, test_example_policy);
	tcase_add_loop_test(tc, test_invalid, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_device_without_id);
	tcase_add_test(tc, test_nbd);
	tcase_add_test(tc, test_rbd);
	tcase_add_test(tc, test_qos);
	tcase_add_test(tc, test_crypt);
	tcase_add_test(tc, test_routing);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return check_run(s);
}
