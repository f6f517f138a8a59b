/**
 * Shortest paths over the road graph in JavaScript: the path the embedded
 * engine takes (PGlite has no pgRouting), and the one PostgreSQL takes when
 * its server lacks pgRouting. Dijkstra with a binary heap on an undirected
 * graph whose edges are road pieces (cost: length in metres).
 */
export interface GraphEdge {
  id: number;
  source: number;
  target: number;
  cost: number;
}

/** One edge of a path, in the direction it is walked (`reversed`: from its target to its source). */
export interface PathStep {
  edge: number;
  reversed: boolean;
}

export interface ShortestPaths {
  /** Distance from the source to every node reached. */
  dist: Map<number, number>;
  /** The path to a node (empty for the source itself; undefined when unreachable). */
  pathTo(node: number): PathStep[] | undefined;
}

interface Arc {
  to: number;
  edge: number;
  cost: number;
  reversed: boolean;
}

export class RoadGraph {
  private readonly arcs = new Map<number, Arc[]>();

  constructor(edges: readonly GraphEdge[]) {
    for (const e of edges) {
      this.add(e.source, { to: e.target, edge: e.id, cost: e.cost, reversed: false });
      this.add(e.target, { to: e.source, edge: e.id, cost: e.cost, reversed: true });
    }
  }

  private add(from: number, arc: Arc): void {
    const list = this.arcs.get(from);
    if (list) list.push(arc);
    else this.arcs.set(from, [arc]);
  }

  /** Dijkstra from `source`; stops early once every node of `targets` is settled (when given). */
  from(source: number, targets?: readonly number[]): ShortestPaths {
    const dist = new Map<number, number>([[source, 0]]);
    const via = new Map<number, { from: number; step: PathStep }>();
    const done = new Set<number>();
    const wanted = targets ? new Set(targets) : undefined;
    wanted?.delete(source);
    const heap = new MinHeap();
    heap.push(0, source);
    while (heap.size > 0) {
      const [d, node] = heap.pop();
      if (done.has(node)) continue;
      done.add(node);
      if (wanted) {
        wanted.delete(node);
        if (wanted.size === 0) break;
      }
      for (const arc of this.arcs.get(node) ?? []) {
        const nd = d + arc.cost;
        if (nd < (dist.get(arc.to) ?? Number.POSITIVE_INFINITY)) {
          dist.set(arc.to, nd);
          via.set(arc.to, { from: node, step: { edge: arc.edge, reversed: arc.reversed } });
          heap.push(nd, arc.to);
        }
      }
    }
    return {
      dist,
      pathTo(node) {
        if (node === source) return [];
        if (!done.has(node)) return undefined;
        const steps: PathStep[] = [];
        for (let at = node; at !== source; ) {
          const v = via.get(at)!;
          steps.push(v.step);
          at = v.from;
        }
        return steps.reverse();
      },
    };
  }

  /**
   * The nodes of the largest connected part of the graph (ties: the part
   * holding the lowest node id): stops are snapped only to its edges, so that
   * every stop can reach every other.
   */
  largestComponent(): Set<number> {
    const seen = new Set<number>();
    let best = new Set<number>();
    let bestMin = Number.POSITIVE_INFINITY;
    for (const start of [...this.arcs.keys()].sort((a, b) => a - b)) {
      if (seen.has(start)) continue;
      const part = new Set<number>([start]);
      const stack = [start];
      while (stack.length > 0) {
        const node = stack.pop()!;
        for (const arc of this.arcs.get(node) ?? []) {
          if (!part.has(arc.to)) {
            part.add(arc.to);
            stack.push(arc.to);
          }
        }
      }
      for (const node of part) seen.add(node);
      if (part.size > best.size || (part.size === best.size && start < bestMin)) {
        best = part;
        bestMin = start;
      }
    }
    return best;
  }
}

/** A binary min-heap of (priority, node) pairs. */
class MinHeap {
  private readonly keys: number[] = [];
  private readonly values: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(key: number, value: number): void {
    const { keys, values } = this;
    let i = keys.length;
    keys.push(key);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      values[i] = values[parent]!;
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }

  pop(): [number, number] {
    const { keys, values } = this;
    const top: [number, number] = [keys[0]!, values[0]!];
    const lastKey = keys.pop()!;
    const lastValue = values.pop()!;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && keys[r]! < keys[l]! ? r : l;
        if (keys[c]! >= lastKey) break;
        keys[i] = keys[c]!;
        values[i] = values[c]!;
        i = c;
      }
      keys[i] = lastKey;
      values[i] = lastValue;
    }
    return top;
  }
}
