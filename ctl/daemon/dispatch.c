// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd's requests: each goes to the handler of its object, through the
 * table of {object, command, handler} each object gives (object.h); boostd
 * itself answers `status` and routes `apply` by the document's keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boostd.h"
#include "common/log.h"
#include "common/proto.h"

static json_object *handle_status_show(struct boostd *d)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "version", json_object_new_string(BOOST_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "uptime", json_object_new_int64(time(NULL) - d->started));
	json_object_object_add(r, "socket", json_object_new_string(d->cfg.socket));
	json_object_object_add(r, "state_dir", json_object_new_string(d->cfg.state_dir));
	json_object_object_add(r, "trust_policy", json_object_new_string(d->cfg.trust_policy));
	json_object_object_add(r, "clients", json_object_new_int(d->nclients));
	for (int i = 0; i < BOOSTD_NOBJECTS; i++)
		if (d->states[i] && d->objects[i]->status)
			d->objects[i]->status(d->states[i], r);
	return proto__ok(r);
}

int boostd__metrics(struct boostd *d, char **ret_text, size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	out = open_memstream(&text, &len);
	if (!out)
		return -errno;
	for (int i = 0; i < BOOSTD_NOBJECTS; i++)
		if (d->states[i] && d->objects[i]->metrics)
			d->objects[i]->metrics(d->states[i], out);
	if (fclose(out) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret_text = text;
	*ret_len = len;
	return 0;
}

static json_object *handle_metrics_show(struct boostd *d)
{
	json_object *r;
	char *text;
	size_t len;
	int ret;

	ret = boostd__metrics(d, &text, &len);
	if (ret)
		return proto__error("metrics: %s", strerror(-ret));
	r = json_object_new_object();
	json_object_object_add(r, "format", json_object_new_string("prometheus text 0.0.4"));
	json_object_object_add(r, "text", json_object_new_string_len(text, (int)len));
	free(text);
	return proto__ok(r);
}

static int handler_call(struct boostd *d, int i, const char *command, json_object *args,
			struct boostd_request *r, json_object **ret)
{
	for (const struct boostd_handler *h = d->objects[i]->handlers; h->object; h++) {
		if (strcmp(h->object, d->objects[i]->name) || strcmp(h->command, command))
			continue;
		if (!d->states[i])
			*ret = proto__error("%s: unavailable: %s", d->objects[i]->name, d->errors[i]);
		else
			*ret = h->fn(d->states[i], args, r);
		return 0;
	}
	return -ENOENT;
}

static bool owns_key(const struct boostd_object *o, const char *key)
{
	for (const char *const *k = o->doc_keys; k && *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/*
 * `apply`: the document goes whole to the one object that owns its keys,
 * whose parser then refuses any key it does not know. A document that mixes
 * objects, or has no key of any, changes nothing.
 */
static json_object *handle_apply(struct boostd *d, json_object *args, struct boostd_request *r)
{
	json_object *doc, *resp = NULL;
	const char *first_key = NULL;
	int owner = -1;

	if (!args || !json_object_object_get_ex(args, "document", &doc) ||
	    !json_object_is_type(doc, json_type_object))
		return proto__error("apply: 'document' must be an object");
	json_object_object_foreach(doc, key, val) {
		int i;

		(void)val;
		for (i = 0; i < BOOSTD_NOBJECTS && !owns_key(d->objects[i], key); i++)
			;
		if (i == BOOSTD_NOBJECTS)
			continue;
		if (owner >= 0 && owner != i)
			return proto__error("apply: the document mixes '%s' (%s) and '%s' (%s): "
					    "apply each in a document of its own", first_key,
					    d->objects[owner]->name, key, d->objects[i]->name);
		owner = i;
		first_key = key;
	}
	if (owner < 0)
		return proto__error("apply: not a network document (ports, security_groups) nor "
				    "a storage document (devices)");
	boostd_request__set_object(r, d->objects[owner]->name);
	if (handler_call(d, owner, "apply", args, r, &resp) == 0 && !resp)
		return NULL; /* answered later, with the object too */
	boostd__result_object(resp, d->objects[owner]->name);
	return resp;
}

void boostd__result_object(json_object *resp, const char *object)
{
	json_object *result = json_object_object_get(resp, "result");

	if (json_object_is_type(result, json_type_object))
		json_object_object_add(result, "object", json_object_new_string(object));
}

json_object *boostd__dispatch_request(struct boostd *d, json_object *req, struct boostd_request *r)
{
	json_object *o, *c, *args = NULL;
	const struct boostd_handler *h;
	const char *object, *command;
	bool object_known = false;

	if (!json_object_object_get_ex(req, "object", &o) ||
	    !json_object_is_type(o, json_type_string) ||
	    !json_object_object_get_ex(req, "command", &c) ||
	    !json_object_is_type(c, json_type_string))
		return proto__error("request: 'object' and 'command' must be strings");
	if (json_object_object_get_ex(req, "args", &args) &&
	    !json_object_is_type(args, json_type_object))
		return proto__error("request: 'args' must be an object");
	object = json_object_get_string(o);
	command = json_object_get_string(c);

	if (strcmp(object, "status") == 0) {
		if (strcmp(command, "show") == 0)
			return handle_status_show(d);
		return proto__error("request: object 'status' has no command '%s'", command);
	}
	if (strcmp(object, "metrics") == 0) {
		if (strcmp(command, "show") == 0)
			return handle_metrics_show(d);
		return proto__error("request: object 'metrics' has no command '%s'", command);
	}
	if (strcmp(object, "apply") == 0) {
		if (strcmp(command, "document") == 0)
			return handle_apply(d, args, r);
		return proto__error("request: object 'apply' has no command '%s'", command);
	}
	for (int i = 0; i < BOOSTD_NOBJECTS; i++) {
		for (h = d->objects[i]->handlers; h->object; h++) {
			if (strcmp(h->object, object) != 0)
				continue;
			object_known = true;
			if (strcmp(h->command, command) != 0)
				continue;
			if (!d->states[i])
				return proto__error("%s: unavailable: %s", d->objects[i]->name,
						    d->errors[i]);
			return h->fn(d->states[i], args, r);
		}
	}
	if (!object_known)
		return proto__error("request: unknown object '%s'", object);
	return proto__error("request: object '%s' has no command '%s'", object, command);
}

/* Start each object in order; the trust object's state is the others' loader. */
void boostd__objects_start(struct boostd *d)
{
	d->env = (struct boostd_env){
		.loop = d->loop,
		.state_dir = d->cfg.state_dir,
		.trust_policy = d->cfg.trust_policy,
		.attest_interval = d->cfg.attest_interval,
		.storage_on_untrusted = d->cfg.storage_on_untrusted,
	};
	for (int i = 0; i < BOOSTD_NOBJECTS; i++) {
		d->states[i] = d->objects[i]->start(&d->env);
		if (!d->states[i]) {
			snprintf(d->errors[i], sizeof(d->errors[i]), "%s", strerror(errno));
			log_err("%s: cannot start: %s", d->objects[i]->name, d->errors[i]);
		}
		if (d->objects[i] == &trust_object)
			d->env.loader = d->states[i];
	}
}

void boostd__objects_stop(struct boostd *d)
{
	for (int i = BOOSTD_NOBJECTS - 1; i >= 0; i--) {
		if (d->states[i])
			d->objects[i]->stop(d->states[i]);
		d->states[i] = NULL;
	}
}
