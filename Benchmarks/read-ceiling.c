/* Benchmarks/read-ceiling.c — the least a program can do to SHA-256 files: what `compare-hash.sh` sets beside
 * iproceeds as the ceiling of a way of reading, on the same files, in the same run.
 *
 *   read-ceiling MODE THREADS < list-of-paths      (one path a line)
 *
 * MODE `read`: open, read(2) into a reused 1 MiB buffer, EVP SHA-256, close — the copy out of the page cache is
 * paid, as by every tool that reads. MODE `mmap`: the same with read-only MAP_POPULATE windows of 8 MiB hashed in
 * place (no copy; what iproceeds does past a file's first MiB). THREADS workers take files from a shared counter.
 * No output but the count of files; no error handling beyond stopping: it is a yardstick, not a tool.
 * Build: gcc -O2 -o read-ceiling read-ceiling.c -lcrypto -lpthread
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char **files;
static size_t nfiles;
static int use_mmap;
static atomic_size_t next_file;

static void *worker(void *unused) {
    (void)unused;
    unsigned char *buf = aligned_alloc(4096, 1 << 20);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    for (;;) {
        size_t i = atomic_fetch_add(&next_file, 1);
        if (i >= nfiles) break;
        int fd = open(files[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) { perror(files[i]); exit(1); }
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        if (!use_mmap) {
            ssize_t n;
            while ((n = read(fd, buf, 1 << 20)) > 0) EVP_DigestUpdate(ctx, buf, (size_t)n);
        } else {
            struct stat st;
            fstat(fd, &st);
            const off_t window = (off_t)8 << 20;
            for (off_t at = 0; at < st.st_size; at += window) {
                size_t n = (size_t)(st.st_size - at < window ? st.st_size - at : window);
                void *p = mmap(NULL, n, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, at);
                if (p == MAP_FAILED) { perror("mmap"); exit(1); }
                EVP_DigestUpdate(ctx, p, n);
                munmap(p, n);
            }
        }
        EVP_DigestFinal_ex(ctx, md, &len);
        close(fd);
    }
    EVP_MD_CTX_free(ctx);
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "read") && strcmp(argv[1], "mmap"))) {
        fprintf(stderr, "usage: read-ceiling read|mmap THREADS < paths\n");
        return 64;
    }
    use_mmap = strcmp(argv[1], "mmap") == 0;
    int threads = atoi(argv[2]);
    size_t cap = 1024;
    files = malloc(cap * sizeof *files);
    char *line = NULL;
    size_t size = 0;
    ssize_t got;
    while ((got = getline(&line, &size, stdin)) > 0) {
        if (line[got - 1] == '\n') line[got - 1] = 0;
        if (nfiles == cap) files = realloc(files, (cap *= 2) * sizeof *files);
        files[nfiles++] = strdup(line);
    }
    pthread_t th[64];
    if (threads < 1 || threads > 64) return 64;
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    printf("%zu files\n", nfiles);
    return 0;
}
