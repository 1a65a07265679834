#ifndef CODETASK_CRDKAFKA_SHIM_H
#define CODETASK_CRDKAFKA_SHIM_H

#include <dlfcn.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// Enqueues one message with copied key, value and the given headers (ownership of `headers`
/// passes to librdkafka on success only), with the record timestamp `timestamp_ms` when `has_timestamp`
/// (otherwise librdkafka's: the time of the call). Non-variadic wrapper around rd_kafka_produceva so
/// Swift never builds the vtype union itself.
static inline rd_kafka_error_t *codetask_produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                                 const void *value, size_t value_len,
                                                 const void *key, size_t key_len,
                                                 rd_kafka_headers_t *headers, void *msg_opaque,
                                                 int has_timestamp, int64_t timestamp_ms) {
    rd_kafka_vu_t vus[8];
    size_t n = 0;
    vus[n].vtype = RD_KAFKA_VTYPE_RKT; vus[n].u.rkt = rkt; n++;
    vus[n].vtype = RD_KAFKA_VTYPE_PARTITION; vus[n].u.i32 = partition; n++;
    vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vus[n].u.i = RD_KAFKA_MSG_F_COPY; n++;
    vus[n].vtype = RD_KAFKA_VTYPE_VALUE; vus[n].u.mem.ptr = (void *)value; vus[n].u.mem.size = value_len; n++;
    if (key != NULL) {
        vus[n].vtype = RD_KAFKA_VTYPE_KEY; vus[n].u.mem.ptr = (void *)key; vus[n].u.mem.size = key_len; n++;
    }
    if (headers != NULL) {
        vus[n].vtype = RD_KAFKA_VTYPE_HEADERS; vus[n].u.headers = headers; n++;
    }
    if (has_timestamp) {
        vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP; vus[n].u.i64 = timestamp_ms; n++;
    }
    vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE; vus[n].u.ptr = msg_opaque; n++;
    return rd_kafka_produceva(rk, vus, n);
}

/// The partition list element at `index` (Swift cannot index C arrays inside structs conveniently).
static inline rd_kafka_topic_partition_t *codetask_partition_at(rd_kafka_topic_partition_list_t *list, int index) {
    return &list->elems[index];
}

/// Looks up a librdkafka function by name in the running process (the main program and the libraries it
/// loaded), for calls that only librdkafka versions newer than the supported minimum have: the module then
/// compiles against the minimum's headers and the caller degrades when the loaded library lacks the call.
/// scripts/check-librdkafka-api lists every name looked up this way. NULL when absent.
static inline void *codetask_rdkafka_symbol(const char *name) {
    void *process = dlopen(NULL, RTLD_LAZY);
    if (process == NULL) return NULL;
    void *symbol = dlsym(process, name);
    dlclose(process);
    return symbol;
}

/// Sets the mock cluster's `group.initial.rebalance.delay.ms` through
/// rd_kafka_mock_group_initial_rebalance_delay_ms (librdkafka 2.6.0 and later), resolved at run time.
/// Returns 1 when applied, 0 when the loaded librdkafka lacks the call (the mock then waits its built-in 3 s
/// before a group's first rebalance).
static inline int codetask_mock_set_initial_rebalance_delay(rd_kafka_mock_cluster_t *mcluster, int32_t delay_ms) {
    typedef void (*setter_t)(rd_kafka_mock_cluster_t *, int32_t);
    setter_t setter = (setter_t)codetask_rdkafka_symbol("rd_kafka_mock_group_initial_rebalance_delay_ms");
    if (setter == NULL) return 0;
    setter(mcluster, delay_ms);
    return 1;
}

#endif
