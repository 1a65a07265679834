#ifndef CODETASK_CRDKAFKA_SHIM_H
#define CODETASK_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// Enqueues one message with copied key, value and the given headers (ownership of `headers`
/// passes to librdkafka on success only). Non-variadic wrapper around rd_kafka_produceva so
/// Swift never builds the vtype union itself.
static inline rd_kafka_error_t *codetask_produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                                 const void *value, size_t value_len,
                                                 const void *key, size_t key_len,
                                                 rd_kafka_headers_t *headers, void *msg_opaque) {
    rd_kafka_vu_t vus[7];
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
    vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE; vus[n].u.ptr = msg_opaque; n++;
    return rd_kafka_produceva(rk, vus, n);
}

/// The partition list element at `index` (Swift cannot index C arrays inside structs conveniently).
static inline rd_kafka_topic_partition_t *codetask_partition_at(rd_kafka_topic_partition_list_t *list, int index) {
    return &list->elems[index];
}

#endif
