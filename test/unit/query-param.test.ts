// queryParam reads QUERY_STRING without URLSearchParams on the common path (start-up time: its first
// use costs start-up time); it must answer exactly what URLSearchParams#get answers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { queryParam } from "../../src/request/reply.js";

const reference = (query: string, name: string) => new URLSearchParams(query).get(name);

describe("queryParam against URLSearchParams", () => {
  it.each([
    ["next=%2Faccount", "next"],
    ["next=/a+b", "next"],
    ["a=1&next=x&next=y", "next"],
    ["next", "next"],
    ["next=", "next"],
    ["&&next=z&", "next"],
    ["n%65xt=encoded-name", "next"],
    ["next=%zz", "next"],
    ["next=%ff", "next"],
    ["next=%E2%82%AC", "next"],
    ["next=a=b", "next"],
    ["?next=q", "next"],
    ["bad=%zz&next=ok", "next"],
    ["next=%41%zz", "next"],
    ["x=1", "next"],
    ["", "next"],
    ["next=caf\u00e9", "next"],
    ["next=%2B+%20", "next"],
  ])("reads %j as URLSearchParams does", (query, name) => {
    expect(queryParam({ QUERY_STRING: query }, name)).toBe(reference(query, name));
  });

  it("answers null when there is no QUERY_STRING", () => {
    expect(queryParam({}, "next")).toBeNull();
  });

  it("agrees with URLSearchParams on random queries made of the characters that matter", () => {
    const chars = fc.constantFrom(..."n=&+%?2fFzé\u0000 ", "%2F", "%E2%82%AC", "%ff", "next");
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 30 }), fc.constantFrom("next", "n", "f", "é", " "), (query, name) => {
        expect(queryParam({ QUERY_STRING: query }, name)).toBe(reference(query, name));
      }),
      { numRuns: 5000 },
    );
  });
});
