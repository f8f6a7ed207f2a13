/** A sample movie as the seed inserts it. */
export interface SampleMovie {
  title: string;
  year: number;
  duration: number;
  contentRating: string;
  tags: string[];
  description: string;
}

/** Real titles with short original descriptions; covers and sources are derived placeholders. */
export const SAMPLE_MOVIES: readonly SampleMovie[] = [
  {
    title: 'The Shawshank Redemption',
    year: 1994,
    duration: 142,
    contentRating: 'R',
    tags: ['drama', 'prison'],
    description:
      'A banker sentenced to life finds friendship and a slow, patient way out of Shawshank prison.',
  },
  {
    title: 'The Godfather',
    year: 1972,
    duration: 175,
    contentRating: 'R',
    tags: ['crime', 'drama', 'family'],
    description: 'The aging head of a crime family hands his empire to his reluctant youngest son.',
  },
  {
    title: 'The Dark Knight',
    year: 2008,
    duration: 152,
    contentRating: 'PG-13',
    tags: ['action', 'crime', 'superhero'],
    description: 'Batman faces the Joker, a criminal who wants to watch Gotham burn.',
  },
  {
    title: 'Pulp Fiction',
    year: 1994,
    duration: 154,
    contentRating: 'R',
    tags: ['crime', 'drama'],
    description:
      'Hitmen, a boxer and a gangster’s wife cross paths in interlocking Los Angeles stories.',
  },
  {
    title: 'Forrest Gump',
    year: 1994,
    duration: 142,
    contentRating: 'PG-13',
    tags: ['drama', 'romance'],
    description:
      'A kind-hearted man drifts through decades of American history while waiting for his first love.',
  },
  {
    title: 'Inception',
    year: 2010,
    duration: 148,
    contentRating: 'PG-13',
    tags: ['sci-fi', 'action', 'heist'],
    description: 'A thief who steals secrets from dreams is hired to plant an idea instead.',
  },
  {
    title: 'The Matrix',
    year: 1999,
    duration: 136,
    contentRating: 'R',
    tags: ['sci-fi', 'action'],
    description:
      'A hacker learns that his world is a simulation and joins the fight against its machines.',
  },
  {
    title: 'Spirited Away',
    year: 2001,
    duration: 125,
    contentRating: 'PG',
    tags: ['animation', 'fantasy', 'family'],
    description:
      'A girl works in a bathhouse for spirits to free her parents from a witch’s spell.',
  },
  {
    title: 'Parasite',
    year: 2019,
    duration: 132,
    contentRating: 'R',
    tags: ['thriller', 'drama'],
    description:
      'A poor family schemes its way into the household of a wealthy one, until a secret surfaces.',
  },
  {
    title: 'Interstellar',
    year: 2014,
    duration: 169,
    contentRating: 'PG-13',
    tags: ['sci-fi', 'drama', 'space'],
    description: 'Explorers travel through a wormhole to find humanity a new home.',
  },
  {
    title: 'Casablanca',
    year: 1942,
    duration: 102,
    contentRating: 'PG',
    tags: ['romance', 'drama', 'classic'],
    description:
      'A nightclub owner in wartime Morocco must choose between love and doing the right thing.',
  },
  {
    title: 'Seven Samurai',
    year: 1954,
    duration: 207,
    contentRating: 'NR',
    tags: ['action', 'drama', 'classic'],
    description: 'A village hires seven masterless samurai to defend its harvest from bandits.',
  },
  {
    title: 'Alien',
    year: 1979,
    duration: 117,
    contentRating: 'R',
    tags: ['sci-fi', 'horror', 'space'],
    description: 'The crew of a commercial spaceship is hunted by a deadly creature.',
  },
  {
    title: 'Back to the Future',
    year: 1985,
    duration: 116,
    contentRating: 'PG',
    tags: ['sci-fi', 'comedy', 'adventure'],
    description:
      'A teenager is sent thirty years into the past and must make his parents fall in love.',
  },
  {
    title: 'Jurassic Park',
    year: 1993,
    duration: 127,
    contentRating: 'PG-13',
    tags: ['adventure', 'sci-fi'],
    description: 'Cloned dinosaurs escape in a theme park on a remote island.',
  },
  {
    title: 'Toy Story',
    year: 1995,
    duration: 81,
    contentRating: 'G',
    tags: ['animation', 'family', 'comedy'],
    description:
      'A cowboy doll feels threatened when a space ranger becomes the new favourite toy.',
  },
  {
    title: 'The Lion King',
    year: 1994,
    duration: 88,
    contentRating: 'G',
    tags: ['animation', 'family', 'musical'],
    description:
      'A young lion prince flees his kingdom after his father’s death and must return to claim it.',
  },
  {
    title: 'Gladiator',
    year: 2000,
    duration: 155,
    contentRating: 'R',
    tags: ['action', 'drama', 'history'],
    description: 'A betrayed Roman general rises through the arena to avenge his family.',
  },
  {
    title: 'Amélie',
    year: 2001,
    duration: 122,
    contentRating: 'R',
    tags: ['comedy', 'romance'],
    description:
      'A shy waitress in Montmartre secretly improves the lives of the people around her.',
  },
  {
    title: 'Mad Max: Fury Road',
    year: 2015,
    duration: 120,
    contentRating: 'R',
    tags: ['action', 'adventure'],
    description:
      'In a desert wasteland, a drifter and a rebel warrior flee a tyrant across the sand.',
  },
  {
    title: 'Get Out',
    year: 2017,
    duration: 104,
    contentRating: 'R',
    tags: ['horror', 'thriller'],
    description:
      'A weekend visit to his girlfriend’s parents turns sinister for a young photographer.',
  },
  {
    title: 'Whiplash',
    year: 2014,
    duration: 106,
    contentRating: 'R',
    tags: ['drama', 'music'],
    description: 'A young drummer is pushed to the edge by a ruthless conservatory instructor.',
  },
  {
    title: 'Arrival',
    year: 2016,
    duration: 116,
    contentRating: 'PG-13',
    tags: ['sci-fi', 'drama'],
    description:
      'A linguist races to understand visitors whose language reshapes how she sees time.',
  },
  {
    title: 'Coco',
    year: 2017,
    duration: 105,
    contentRating: 'PG',
    tags: ['animation', 'family', 'music'],
    description:
      'A boy who dreams of music crosses into the Land of the Dead to find his ancestor.',
  },
  {
    title: 'The Grand Budapest Hotel',
    year: 2014,
    duration: 99,
    contentRating: 'R',
    tags: ['comedy', 'adventure'],
    description:
      'A legendary concierge and his lobby boy are caught up in the theft of a priceless painting.',
  },
  {
    title: 'Vertigo',
    year: 1958,
    duration: 128,
    contentRating: 'PG',
    tags: ['thriller', 'mystery', 'classic'],
    description:
      'A retired detective with a fear of heights becomes obsessed with a mysterious woman.',
  },
  {
    title: 'Blade Runner',
    year: 1982,
    duration: 117,
    contentRating: 'R',
    tags: ['sci-fi', 'noir'],
    description: 'A weary detective hunts escaped replicants in a rain-soaked future Los Angeles.',
  },
  {
    title: 'Up',
    year: 2009,
    duration: 96,
    contentRating: 'PG',
    tags: ['animation', 'adventure', 'family'],
    description:
      'An old widower ties balloons to his house and flies to South America, with a stowaway.',
  },
  {
    title: 'The Silence of the Lambs',
    year: 1991,
    duration: 118,
    contentRating: 'R',
    tags: ['thriller', 'crime', 'horror'],
    description: 'A young FBI trainee seeks the help of an imprisoned killer to catch another.',
  },
  {
    title: 'Everything Everywhere All at Once',
    year: 2022,
    duration: 139,
    contentRating: 'R',
    tags: ['sci-fi', 'comedy', 'action'],
    description: 'A laundromat owner must connect with versions of herself across the multiverse.',
  },
];

/** URL-safe slug for the placeholder cover and source links. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
