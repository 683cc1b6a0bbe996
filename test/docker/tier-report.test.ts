// Root hooks of the docker tier: after every test file, print what the images weigh, how long
// their builds took and how long the tier ran (the setup script reports its own time).
import { imageExists, imageSizeBytes, localBases, megabytes } from './docker-cli';
import { buildSeconds, standInImages, tierFacts, tierImages } from './images';

const started = Date.now();

after(async function () {
  this.timeout(60_000);
  const lines: string[] = [];
  for (const image of [localBases.debian, localBases.node, ...Object.values(tierImages), ...Object.values(standInImages)]) {
    if (await imageExists(image)) lines.push(`  ${image.padEnd(48)} ${megabytes(await imageSizeBytes(image))}`);
  }
  for (const [service, seconds] of buildSeconds) lines.push(`  build of ${service}: ${seconds}s`);
  for (const fact of tierFacts) lines.push(`  ${fact}`);
  lines.push(`  docker tier: ${Math.round((Date.now() - started) / 1000)}s`);
  console.log(`\n  docker tier images and timing:\n${lines.join('\n')}`);
});
