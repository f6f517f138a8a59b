import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
let t=Date.now();
const db = await PGlite.create({ extensions: { postgis } });
console.log('open', Date.now()-t); t=Date.now();
await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
console.log('ext', Date.now()-t);
const r = await db.query("select postgis_full_version() v, ST_Area(ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 1,0 0))')) a");
console.log(r.rows);
for (const f of ['ST_VoronoiPolygons','ST_SquareGrid','ST_GeneratePoints','ST_MaximumInscribedCircle','ST_AsMVT','ST_CoverageUnion','ST_LineMerge','ST_AsGeoJSON','ST_ClusterKMeans']) {
  const q = await db.query(`select count(*)::int n from pg_proc where proname = lower($1)`, [f]);
  console.log(f, (q.rows[0] as any).n);
}
t=Date.now();
const d = await db.dumpDataDir('none'); console.log('dump', Date.now()-t, d.size);
t=Date.now();
const db2 = await PGlite.create({ extensions: { postgis }, loadDataDir: d });
const r2 = await db2.query('select postgis_version()'); console.log('clone', Date.now()-t, r2.rows);
