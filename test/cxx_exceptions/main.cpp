// cxx_exceptions: C++ exceptions as programs use them, where Linux (g++,
// libstdc++) and the LibOS (occlum-g++: clang's Emscripten-style lowering,
// libocclum's cxa_exception.c, libc++) must print the same: throw and catch
// by value, reference and pointer, derived-to-base matching (single and
// multiple inheritance), catch(...), rethrow, nested try blocks, RAII
// destructors run during unwinding (in order), exceptions through function
// pointers, virtual calls, std::function and a constructor, exceptions
// thrown by the standard library's templates (vector::at, map::at,
// optional::value), dynamic_cast's bad_cast, std::exception_ptr, nested
// exceptions, noexcept(false) destructors not needed, and many throws in a
// loop.
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

static int failures;
#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c)) {                                                       \
            std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static std::string trail;
struct Guard {
    std::string name;
    explicit Guard(std::string n) : name(std::move(n)) {}
    ~Guard() { trail += "~" + name + " "; }
};

struct Base : std::runtime_error {
    int code;
    Base(const char *w, int c) : std::runtime_error(w), code(c) {}
};
struct Derived : Base {
    Derived() : Base("derived", 2) {}
};
struct Left { virtual ~Left() = default; int l = 1; };
struct Right { virtual ~Right() = default; int r = 2; };
struct Both : Left, Right { int b = 3; };

__attribute__((noinline)) static void thrower(int kind) {
    Guard g("thrower");
    switch (kind) {
    case 0: throw 42;
    case 1: throw Derived();
    case 2: throw std::string("a string");
    case 3: throw Both();
    case 4: throw 2.5;
    case 5: { static int x = 7; throw &x; }
    default: break;
    }
}

static void catching() {
    for (int kind = 0; kind <= 6; kind++) {
        trail.clear();
        try {
            Guard g("try");
            thrower(kind);
            std::printf("kind %d: no throw", kind);
        } catch (int v) {
            std::printf("kind %d: int %d", kind, v);
        } catch (const Base &e) {
            std::printf("kind %d: Base& code %d what %s", kind, e.code, e.what());
        } catch (const std::string &s) {
            std::printf("kind %d: string %s", kind, s.c_str());
        } catch (Right &r) {
            std::printf("kind %d: Right& r %d (a second base, adjusted)", kind, r.r);
        } catch (int *p) {
            std::printf("kind %d: int* -> %d", kind, *p);
        } catch (...) {
            std::printf("kind %d: catch(...)", kind);
        }
        std::printf("; destructors: %s\n", trail.c_str());
    }
}

static void rethrow_and_nest() {
    try {
        try {
            throw Derived();
        } catch (Base &e) {
            e.code = 99;
            throw; // the same object, changed
        }
    } catch (const Derived &d) {
        std::printf("rethrown: the same object, code %d\n", d.code);
        CHECK(d.code == 99);
    }
    try {
        try {
            throw std::logic_error("inner");
        } catch (...) {
            throw std::runtime_error("replaced");
        }
    } catch (const std::exception &e) {
        std::printf("thrown from a catch block: %s\n", e.what());
    }
    int depth = 0;
    std::function<void(int)> rec = [&](int n) {
        Guard g("r" + std::to_string(n));
        if (n == 0) throw std::out_of_range("bottom");
        try {
            rec(n - 1);
        } catch (const std::length_error &) {
            CHECK(false); // never matches: passes through
        }
        depth++;
    };
    trail.clear();
    try {
        rec(5);
    } catch (const std::out_of_range &e) {
        std::printf("through 6 frames with try blocks: %s, unwound %s, depth %d\n", e.what(), trail.c_str(), depth);
    }
}

struct Shape {
    virtual ~Shape() = default;
    virtual double area() const = 0;
};
struct Bad : Shape {
    double area() const override { throw std::domain_error("no area"); }
};
struct Throws {
    std::unique_ptr<int> held;
    Throws() : held(new int(1)) { throw std::invalid_argument("constructor"); }
};

static void indirect() {
    std::unique_ptr<Shape> s(new Bad);
    try {
        s->area();
    } catch (const std::domain_error &e) {
        std::printf("from a virtual call: %s\n", e.what());
    }
    try {
        Throws t;
    } catch (const std::invalid_argument &e) {
        std::printf("from a constructor: %s\n", e.what());
    }
    void (*fp)(int) = thrower;
    try {
        fp(0);
    } catch (int v) {
        std::printf("through a function pointer: %d\n", v);
    }
}

static void library() {
    std::vector<int> v{1, 2, 3};
    try {
        v.at(10);
    } catch (const std::out_of_range &) {
        std::printf("vector::at: out_of_range\n");
    }
    std::map<std::string, int> m;
    try {
        m.at("missing");
    } catch (const std::out_of_range &) {
        std::printf("map::at: out_of_range\n");
    }
    std::optional<int> none;
    try {
        (void)none.value();
    } catch (const std::bad_optional_access &) {
        std::printf("optional::value: bad_optional_access\n");
    }
    Shape *s = new Bad;
    try {
        (void)dynamic_cast<Throws &>(*reinterpret_cast<Shape *>(s));
    } catch (const std::bad_cast &) {
        std::printf("dynamic_cast<T&>: bad_cast\n");
    } catch (...) {
        std::printf("dynamic_cast<T&>: something else\n");
    }
    delete s;
}

static void exception_ptrs() {
    std::exception_ptr p;
    try {
        throw Derived();
    } catch (...) {
        p = std::current_exception();
    }
    CHECK(p != nullptr);
    try {
        std::rethrow_exception(p);
    } catch (const Base &e) {
        std::printf("exception_ptr rethrown: %s\n", e.what());
    }
    try {
        try {
            throw std::runtime_error("cause");
        } catch (...) {
            std::throw_with_nested(std::logic_error("wrapper"));
        }
    } catch (const std::logic_error &e) {
        std::printf("nested: %s", e.what());
        try {
            std::rethrow_if_nested(e);
        } catch (const std::runtime_error &inner) {
            std::printf(" <- %s\n", inner.what());
        }
    }
    std::printf("uncaught_exceptions outside a throw: %d\n", std::uncaught_exceptions());
}

struct CountsUncaught {
    ~CountsUncaught() { std::printf("uncaught_exceptions during unwinding: %d\n", std::uncaught_exceptions()); }
};

static void loop() {
    long sum = 0;
    for (int i = 0; i < 20000; i++) {
        try {
            if (i % 2) throw i;
            sum += i;
        } catch (int v) {
            sum -= v;
        }
    }
    std::printf("20000 iterations, half throwing: %ld\n", sum);
    try {
        CountsUncaught c;
        throw 1;
    } catch (int) {
    }
}

int main() {
    catching();
    rethrow_and_nest();
    indirect();
    library();
    exception_ptrs();
    loop();
    if (failures) {
        std::printf("%d checks FAILED\n", failures);
        return 1;
    }
    std::printf("cxx_exceptions: all checks passed\n");
    return 0;
}
