/* spin: loops forever without a system call, until a signal kills it. */
int main(void) {
    volatile unsigned long n = 0;
    for (;;) n++;
}
