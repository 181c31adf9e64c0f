/* C-only check of the block function against the Random123 known answers (no Python).
 * Usage: test_kat path/to/philox4x32_10_kat.txt ; exits non-zero on any mismatch. */
#include <stdio.h>
#include <string.h>

#include "../wf_core.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s KAT_FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char line[512];
    int checked = 0, failed = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned c[4], k[2], x[4];
        if (line[0] == '#' || sscanf(line, "%x %x %x %x %x %x %x %x %x %x", &c[0], &c[1], &c[2],
                                     &c[3], &k[0], &k[1], &x[0], &x[1], &x[2], &x[3]) != 10)
            continue;
        uint32_t ctr[4] = {c[0], c[1], c[2], c[3]}, out[4];
        wf_philox4x32_10_many(ctr, 1, k[0], k[1], out);
        ++checked;
        if (out[0] != x[0] || out[1] != x[1] || out[2] != x[2] || out[3] != x[3]) {
            ++failed;
            fprintf(stderr, "mismatch: %s", line);
        }
    }
    fclose(f);
    printf("%d passed, %d failed\n", checked - failed, failed);
    return (failed || checked == 0) ? 1 : 0;
}
