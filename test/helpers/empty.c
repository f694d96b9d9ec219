/* empty: exits 0 at once (the short child of spawn tests and stress_spawn). */
int main(void) {
    return 0;
}
